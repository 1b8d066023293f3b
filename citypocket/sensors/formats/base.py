"""Shared pieces of the parsers: the per-item loop, time and number parsing."""

import math
from datetime import UTC, datetime
from typing import Any

from citypocket.sensors.readings import Parsed, as_text


class BadItem(ValueError):
    """Raised inside a parser for one item; the message is the rejection reason."""


def add_items(parsed: Parsed, items: list, parse_item, *, empty: str, whole: Any) -> Parsed:
    """Parses each item with `parse_item`, which returns a Reading or a list of Readings and
    reasons (one attribute refused) and raises BadItem to refuse the whole item; an empty list
    is refused with the reason `empty` and the whole payload `whole`."""
    if not items:
        parsed.reject(index=0, reason=empty, payload=as_text(whole))
        return parsed
    for index, item in enumerate(items):
        try:
            outcome = parse_item(item)
        except BadItem as error:
            parsed.reject(index=index, reason=str(error), payload=as_text(item))
            continue
        for reading in outcome if isinstance(outcome, list) else [outcome]:
            if isinstance(reading, str):
                parsed.reject(index=index, reason=reading, payload=as_text(item))
            else:
                parsed.add(reading, index=index, payload=item)
    return parsed


def parse_time(value: Any, *, assume_utc: bool = False) -> datetime:
    """An ISO 8601 string (or NGSI-LD {"@type": "DateTime", "@value": …}) as an aware datetime."""
    if isinstance(value, dict) and "@value" in value:
        value = value["@value"]
    if not isinstance(value, str) or not value:
        raise BadItem("time is missing or not a string")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadItem(f"time {value[:40]!r} is not ISO 8601") from None
    if moment.tzinfo is None:
        if not assume_utc:
            raise BadItem("time has no UTC offset")
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise BadItem("time is out of range") from None


def parse_number(value: Any, *, name: str = "value") -> float:
    """A JSON number (or a numeric string, as sensor.community sends) as a finite float."""
    if isinstance(value, bool) or value is None:
        raise BadItem(f"{name} is not a number")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise BadItem(f"{name} is not a number") from None
    if not isinstance(value, (int, float)):
        raise BadItem(f"{name} is not a number")
    try:
        number = float(value)
    except OverflowError:
        raise BadItem(f"{name} is not finite (NaN or infinity)") from None
    if math.isnan(number) or math.isinf(number):
        raise BadItem(f"{name} is not finite (NaN or infinity)")
    return number
