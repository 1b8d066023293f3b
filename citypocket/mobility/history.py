"""Simulated car-park history for the demo and the prediction backtest.

Free spaces follow a weekly profile (quiet nights, busy late mornings and afternoons, busier on
Saturdays, quiet on Sundays) scaled by a factor drawn once per car park and day (0.75-1.25: some
days are busier than usual all day long — the thing the trend correction is for), plus noise.
Deterministic: the same car park and instant always give the same value.
"""

import hashlib
import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from citypocket.sensors.readings import Reading


def _rng(*parts) -> random.Random:
    digest = hashlib.blake2b(":".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _bell(hour: float, centre: float, width: float) -> float:
    return math.exp(-(((hour - centre) / width) ** 2))


def occupancy(hour: float, weekday: int) -> float:
    """Usual share of spaces taken at a local hour of a weekday."""
    day = 0.5 * _bell(hour, 11.0, 2.5) + 0.55 * _bell(hour, 16.5, 2.8)
    day *= {5: 1.2, 6: 0.55}.get(weekday, 1.0)
    return 0.05 + day


def day_factor(key: str, local: datetime) -> float:
    return _rng(key, local.date().isoformat()).uniform(0.75, 1.25)


def free_spaces(*, key: str, capacity: int, moment: datetime, tz: str) -> float:
    local = moment.astimezone(ZoneInfo(tz))
    hour = local.hour + local.minute / 60
    taken = occupancy(hour, local.weekday()) * day_factor(key, local) + _rng(key, moment.isoformat()).gauss(0, 0.02)
    return float(round(capacity * (1 - max(0.0, min(1.0, taken)))))


def readings(*, sensor: str, key: str, capacity: int, start: datetime, end: datetime, tz: str,
             step: timedelta = timedelta(minutes=15)) -> list[Reading]:
    """available_spots readings every `step` in [start, end)."""
    out = []
    moment = start
    while moment < end:
        out.append(Reading(sensor, "available_spots", moment,
                           free_spaces(key=key, capacity=capacity, moment=moment, tz=tz), "1"))
        moment += step
    return out
