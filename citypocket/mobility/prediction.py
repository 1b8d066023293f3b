"""Free spaces at arrival, predicted from the car park's own history.

Method (docs/mobility.md, "Prediction"):

1. Seasonal profile: the mean free spaces in a +/- 20 minute window around the same weekday and
   local time of the arrival, over the past HISTORY_WEEKS (4) weeks — `profile(arrival)`.
2. Trend correction: today's deviation from the usual, `free_now - profile(now)` (profile of now's
   weekday and time of day over the same weeks), is added to the profile at arrival with a
   weight that fades linearly over TREND_FADE_MINUTES (3 h): a car park that is emptier than
   usual now is expected to stay emptier than usual for a while, not forever.
3. Result clamped to [0, capacity].

The profiles are kept per car park and quarter-hour of the week by the task worker (`profiles.py`);
the search reads them, and reads the windows here (`load_history`) only for a car park whose profile
is missing or out of date. Both give their profiles to `predict_from_profile`.

Honest fallbacks (the `method` says which one was used, and `note` says why):
- `now`: arrival within NOW_HORIZON_MINUTES (10 min), or fewer than MIN_WEEKS (2) past weeks with
  readings around the arrival time — the free spaces now are the prediction;
- `history`: there is history but no fresh reading now — the profile alone, without trend;
- `none`: neither history nor a fresh reading — no number.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from citypocket.sensors.models import Observation

HISTORY_WEEKS = 4
MIN_WEEKS = 2
WINDOW = timedelta(minutes=20)
NOW_HORIZON_MINUTES = 10
TREND_FADE_MINUTES = 180

NOW = "now"
HISTORY = "history"
HISTORY_TREND = "history_trend"
NONE = "none"


@dataclass(frozen=True, slots=True)
class Prediction:
    free: int | None
    method: str
    weeks: int  # past weeks with readings around the arrival time
    short_history: bool = False  # "now" was used because history was too short (not because arrival is near)


def _windows(moment: datetime) -> list[tuple[int, datetime, datetime]]:
    return [
        (k, moment - timedelta(weeks=k) - WINDOW, moment - timedelta(weeks=k) + WINDOW)
        for k in range(1, HISTORY_WEEKS + 1)
    ]


def load_history(
    *, datastream_ids: list[int], now: datetime, arrive_at: datetime
) -> dict[int, dict[str, dict[int, list[float]]]]:
    """datastream id -> {"arrival"|"now": {week k: [values]}} in one query (indexed by time)."""
    if not datastream_ids:
        return {}
    spans = {"arrival": _windows(arrive_at), "now": _windows(now)}
    condition = Q()
    for windows in spans.values():
        for _k, start, end in windows:
            condition |= Q(phenomenon_time__gte=start, phenomenon_time__lt=end)
    rows = Observation.objects.filter(condition, datastream_id__in=datastream_ids).values_list(
        "datastream_id", "phenomenon_time", "value"
    )
    history: dict[int, dict[str, dict[int, list[float]]]] = defaultdict(lambda: {"arrival": {}, "now": {}})
    week = timedelta(weeks=1)
    for stream_id, moment, value in rows:
        for name, centre in (("arrival", arrive_at), ("now", now)):
            k = round((centre - moment) / week)  # which past week this reading belongs to
            offset = moment - (centre - k * week)
            if 1 <= k <= HISTORY_WEEKS and -WINDOW <= offset < WINDOW:
                history[stream_id][name].setdefault(k, []).append(value)
    return history


def _profile(weeks: dict[int, list[float]]) -> float | None:
    """Mean over weeks of each week's mean (each week counts once, whatever its reading rate)."""
    means = [sum(values) / len(values) for values in weeks.values() if values]
    return sum(means) / len(means) if means else None


def predict(
    *,
    history: dict[str, dict[int, list[float]]] | None,
    free_now: int | None,
    capacity: int | None,
    now: datetime,
    arrive_at: datetime,
) -> Prediction:
    """Free spaces expected at `arrive_at` from the history windows (see the module docstring)."""
    history = history or {"arrival": {}, "now": {}}
    return predict_from_profile(
        at_arrival=_profile(history["arrival"]),
        weeks=sum(1 for values in history["arrival"].values() if values),
        usual_now=_profile(history["now"]),
        free_now=free_now,
        capacity=capacity,
        now=now,
        arrive_at=arrive_at,
    )


def predict_from_profile(
    *,
    at_arrival: float | None,
    weeks: int,
    usual_now: float | None,
    free_now: int | None,
    capacity: int | None,
    now: datetime,
    arrive_at: datetime,
) -> Prediction:
    """Free spaces expected at `arrive_at` from the profiles at arrival and now (`_profile` of their
    windows, read at request or kept by the worker: `profiles.py`) and the weeks they come from."""
    horizon = (arrive_at - now).total_seconds() / 60

    def clamp(value: float) -> int:
        value = max(0.0, value)
        if capacity:
            value = min(float(capacity), value)
        return round(value)

    if horizon <= NOW_HORIZON_MINUTES or weeks < MIN_WEEKS or at_arrival is None:
        short = horizon > NOW_HORIZON_MINUTES
        if free_now is None:
            return Prediction(None, NONE, weeks, short)
        return Prediction(free_now, NOW, weeks, short)
    if free_now is None or usual_now is None:
        return Prediction(clamp(at_arrival), HISTORY, weeks)
    weight = max(0.0, 1.0 - horizon / TREND_FADE_MINUTES)
    return Prediction(clamp(at_arrival + weight * (free_now - usual_now)), HISTORY_TREND, weeks)
