"""The one internal schema every transport and format is parsed into."""

from dataclasses import dataclass, field
from datetime import datetime


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
    """A refused item: its position in the batch and a precise reason."""

    index: int
    reason: str


@dataclass(slots=True)
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
