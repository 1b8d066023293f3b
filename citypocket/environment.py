"""Typed reading of the environment, for settings.py only: every variable is read there, once, at start-up.

A value that does not parse stops the process with ImproperlyConfigured naming the variable and what
it expects, instead of a default silently taking over (a typo in a deployment must not turn a rate
limit or an encryption key into something else). Apps never read the environment: they read
`django.conf.settings`.

The rate format lives here too because settings validate rates at start-up and the limiter
(core.throttling) parses the same strings at each request: one parser for both.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Rate:
    """`count` events per `seconds`."""

    count: int
    seconds: int


PERIODS = {
    "s": 1, "sec": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
}
RATE_FORMAT = "a count per period such as 5/h, 600/min, 30/hour or 100/15m (units s, min, h, day)"
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")


def parse_rate(value: str) -> Rate:
    """`"5/h"` -> Rate(5, 3600); `"100/15m"` -> Rate(100, 900). Raises ValueError on anything else."""
    match = _RATE.match(str(value).lower())
    if not match or match.group(3) not in PERIODS:
        raise ValueError(f"{value!r} is not a rate: expected {RATE_FORMAT}")
    count, multiplier = int(match.group(1)), int(match.group(2) or 1)
    if count < 1 or multiplier < 1:
        raise ValueError(f"{value!r} is not a rate: the count and the period must be at least 1")
    return Rate(count, multiplier * PERIODS[match.group(3)])


class Environment:
    """Reads variables from `environ`, each with its type and default; remembers every name it read."""

    def __init__(self, environ: Mapping[str, str]):
        self.environ = environ
        self.names: set[str] = set()

    def _raw(self, name: str) -> str | None:
        self.names.add(name)
        value = self.environ.get(name)
        return None if value is None or not value.strip() else value.strip()

    @staticmethod
    def error(name: str, expected: str, value: str | None = None) -> ImproperlyConfigured:
        """The start-up error for `name`; secrets are never echoed (pass no `value` for them)."""
        shown = f" (got {value!r})" if value is not None else ""
        return ImproperlyConfigured(f"{name} must be {expected}{shown}. See docs/configuration.md.")

    def text(self, name: str, default: str = "") -> str:
        value = self._raw(name)
        return default if value is None else value

    def flag(self, name: str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        if value.lower() in TRUE:
            return True
        if value.lower() in FALSE:
            return False
        raise self.error(name, "a boolean: true/false, on/off, yes/no or 1/0", value)

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self._raw(name)
        if value is None:
            return default
        for choice in choices:
            if value.lower() == choice.lower():
                return choice
        raise self.error(name, "one of " + ", ".join(choices), value)

    def integer(self, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self._raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            raise self.error(name, "an integer" + _bounds(minimum, maximum), value)
        return number

    def number(self, name: str, default: float, *, minimum: float | None = None, maximum: float | None = None) -> float:
        value = self._raw(name)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            number = None
        if (number is None or number != number or (minimum is not None and number < minimum)
                or (maximum is not None and number > maximum)):
            raise self.error(name, "a decimal number" + _bounds(minimum, maximum), value)
        return number

    def items(self, name: str, default: str = "") -> list[str]:
        """A comma-separated list (blank items dropped)."""
        value = self._raw(name)
        return [item.strip() for item in (default if value is None else value).split(",") if item.strip()]

    def rate(self, name: str, default: str) -> str:
        """A rate string checked with `parse_rate`; the limiter parses it again at each use."""
        value = self._raw(name)
        if value is None:
            return default
        try:
            parse_rate(value)
        except ValueError:
            raise self.error(name, RATE_FORMAT, value) from None
        return value

    def url(self, name: str, default: str = "", *, schemes: tuple[str, ...] = ("https", "http")) -> str:
        """An absolute URL with one of `schemes`; never echoed (it may hold a password)."""
        value = self._raw(name)
        if value is None:
            return default
        if not is_url(value, schemes):
            raise self.error(name, "an absolute URL starting with " + " or ".join(f"{s}://" for s in schemes))
        return value

    def json(self, name: str, default, *, expected: type, what: str):
        """A JSON document of type `expected` (list or dict); `what` describes it in the error."""
        value = self._raw(name)
        if value is None:
            return default
        try:
            document = json.loads(value)
        except ValueError as error:
            # The position only: the document may hold credentials (feed URLs with API keys).
            raise self.error(name, f"{what} in JSON, which does not parse ({error.msg} at character {error.pos})") \
                from None
        if not isinstance(document, expected):
            raise self.error(name, f"{what} in JSON, not a {type(document).__name__}")
        return document


def is_url(value, schemes: tuple[str, ...] = ("https", "http")) -> bool:
    """True for an absolute URL with one of `schemes` and a host (`redis:///0` has none, `unix://` needs none)."""
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in schemes and (bool(parts.netloc) or parts.scheme == "unix")


def _bounds(minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum} to {maximum}"
    if minimum is not None:
        return f" of at least {minimum}"
    if maximum is not None:
        return f" of at most {maximum}"
    return ""
