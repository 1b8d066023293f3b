"""The one internal schema every transport and format is parsed into, and what the ingest door answers.

A `Parsed` batch holds readings (each with its item index and the item it came from) and the
items already refused with a reason; `sensors.ingest.ingest_observations` takes one and returns
an `IngestResult`. Parsers (`sensors.formats`), feed pollers, the MQTT subscriber, the simulator
and the demo loaders all build this one shape.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MAX_PAYLOAD_TEXT = 20_000  # characters of an item kept in its dead letter


@dataclass(frozen=True, slots=True)
class Reading:
    """One value of one property of one sensor (by its external id) at one instant."""

    sensor: str
    property: str
    time: datetime
    value: float
    unit: str


@dataclass(frozen=True, slots=True)
class Rejection:
    """A refused item: its position in the batch, a precise reason, and the item's text for its dead letter."""

    index: int
    reason: str
    payload: str = ""


@dataclass(slots=True)
class Parsed:
    """A batch for the ingest door: readings with their item index and item, and the items refused already."""

    format: str = ""
    readings: list[Reading] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)
    payloads: list[Any] = field(default_factory=list)  # each reading's item (None: the reading itself)
    rejections: list[Rejection] = field(default_factory=list)
    malformed: bool = False  # the payload as a whole could not be decoded (HTTP answers 400)
    # Indices of items the transport delivers again (MQTT DUP): their refusals are dead-lettered once.
    # A shared empty frozenset, so that the many one-message batches of MQTT allocate nothing here.
    redelivered: frozenset[int] = frozenset()

    @classmethod
    def from_readings(cls, readings: list[Reading], *, format: str = "") -> "Parsed":
        """Readings made in code (simulator, demos, other apps): item index = position, item = the reading."""
        readings = list(readings)
        return cls(
            format=format, readings=readings, indices=list(range(len(readings))), payloads=[None] * len(readings)
        )

    @classmethod
    def merge(cls, parts: list["Parsed"]) -> "Parsed":
        """Several parsed payloads as one batch; item indices are renumbered to stay distinct."""
        merged = cls(format="mixed")
        redelivered: set[int] = set()
        offset = 0
        for part in parts:
            merged.readings.extend(part.readings)
            merged.indices.extend([index + offset for index in part.indices])
            merged.payloads.extend(part.payloads)
            size = max(part.indices, default=-1) + 1  # the item slots this part takes
            if part.rejections:  # (tested first: the many one-reading MQTT messages have none)
                merged.rejections.extend(
                    Rejection(item.index + offset, item.reason, item.payload) for item in part.rejections
                )
                size = max(size, max(item.index for item in part.rejections) + 1)
            if part.redelivered:
                redelivered.update(index + offset for index in part.redelivered)
            offset += max(size, 1)
        if redelivered:
            merged.redelivered = frozenset(redelivered)
        return merged

    def add(self, reading: Reading, *, index: int, payload: Any) -> None:
        self.readings.append(reading)
        self.indices.append(index)
        self.payloads.append(payload)

    def reject(self, *, index: int, reason: str, payload: str) -> None:
        self.rejections.append(Rejection(index=index, reason=reason, payload=payload))

    def mark_redelivered(self) -> None:
        """Every item of this batch was delivered before (the transport says so)."""
        self.redelivered = frozenset([*self.indices, *(rejection.index for rejection in self.rejections)])

    def item_text(self, position: int) -> str:
        """The text of the item of the reading at `position`, for its dead letter."""
        payload = self.payloads[position]
        return reading_text(self.readings[position]) if payload is None else as_text(payload)


@dataclass(slots=True)
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)


def as_text(item: Any) -> str:
    """The JSON text of an item, for its dead letter (never raises)."""
    try:
        text = json.dumps(item, ensure_ascii=False, allow_nan=True, default=str)
    except (TypeError, ValueError, RecursionError):
        text = repr(item)
    return text[:MAX_PAYLOAD_TEXT]


def reading_text(reading: Reading) -> str:
    """The JSON text of a reading made in code, as kept in a dead letter."""
    value = reading.value
    return json.dumps(
        {
            "sensor": reading.sensor,
            "property": reading.property,
            "time": reading.time.isoformat() if isinstance(reading.time, datetime) else str(reading.time),
            "value": value if isinstance(value, (int, float)) else str(value),
            "unit": reading.unit,
        },
        default=str,
    )
