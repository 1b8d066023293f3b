"""Find a spot: car parks ranked for a destination and an arrival time, with the reasons of the rank.

Score (0-100, higher is better; docs/mobility.md, "Search score"):

    score = 50 x availability + 35 x walk + 15 x price - approach congestion penalty

- availability = min(1, predicted free spaces / 30): 30 free spaces or more is "plenty";
  predicted full -> 0 and the whole score is divided by 5 (it would send people circling);
  unknown (no number) -> 0.3, below any car park expected to have ~10 free spaces;
- walk = 1 - walking distance / max_walk_m;
- price = 1 - price for 2 h / the dearest 2 h price among the candidates (0.5 when unknown,
  1 when free);
- penalty: 5 / 15 / 30 points when a counting point within 500 m is pré-saturé / saturé / bloqué.

A car park closed at the arrival time, too low for the vehicle, or without the disabled-badge /
EV places asked for is left out. Ties break by walking distance, then name.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext_lazy, ngettext

from citypocket.cities.models import City
from citypocket.core.geo import haversine_m
from citypocket.core.i18n import translated
from citypocket.mobility import co2, geo, prediction, profiles, selectors, traffic
from citypocket.mobility.selectors import CarParkRow
from citypocket.mobility.status import is_open_at

PLENTY = 30.0
UNKNOWN_AVAILABILITY = 0.3
FULL_DIVISOR = 5.0
WEIGHTS = {"availability": 50.0, "walk": 35.0, "price": 15.0}
DEFAULT_MAX_WALK_M = 1000
# Park-and-ride car parks are looked for in the whole city, not only within walking distance; the
# history of this many, quickest trip first, is read with the search's candidates.
PARK_AND_RIDE_BATCH = 3

# The reasons' fixed words, translated once per language (core.i18n) instead of at each result.
REASONS = {
    "unknown": gettext_lazy("No recent reading and not enough history: free spaces unknown."),
    "usually_full": gettext_lazy("Usually full at %(time)s (history of %(weeks)d weeks)."),
    "trend": gettext_lazy(", corrected by today's trend"),
    "walk": gettext_lazy("%(minutes)d min walk (%(metres)d m) to your destination."),
    "free": gettext_lazy("Free of charge."),
    "price_unknown": gettext_lazy("Price not known."),
    "price": gettext_lazy("€%(price)s for 2 hours."),
    "ranked_down": gettext_lazy("Ranked down: expected to be full, you would have to drive around."),
    "height_unknown": gettext_lazy("Height limit not known: check at the entrance."),
    "approximate": gettext_lazy("Location approximate."),
    "alternative_unknown": gettext_lazy("Free spaces unknown right now."),
    "transit": gettext_lazy("%(line)s to the centre in about %(minutes)d min, then %(walk)d min walk."),
    "co2": gettext_lazy("Avoids about %(kg)s kg of CO₂ compared with driving in and looking for a space."),
}


@dataclass
class Result:
    car_park: CarParkRow
    live: object
    prediction: prediction.Prediction
    walk_m: int
    walk_min: int
    score: float
    approach: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class Alternative:
    car_park: CarParkRow
    live: object
    prediction: prediction.Prediction
    transit_line: str
    transit_minutes: int | None
    walk_m: int
    walk_min: int
    total_minutes: int | None
    co2: co2.Co2Estimate
    reasons: list[str] = field(default_factory=list)


@dataclass
class SearchOutcome:
    results: list[Result]
    alternative: Alternative | None
    arrive_at: datetime
    now: datetime
    # "profiles" (the worker's), "history-read=N" (N car parks without an up-to-date profile: their
    # history was read for the request) or "now" (arrival too near for any history).
    prediction_source: str = "profiles"


def _price(value: Decimal | None) -> str:
    return formats.number_format(value, decimal_pos=2)


def _approach_state(car_park: CarParkRow, points) -> str:
    worst = traffic.UNKNOWN
    for point in points:
        if point.sensor.lat is None or point.sensor.lon is None:
            continue
        near = haversine_m(car_park.lat, car_park.lon, point.sensor.lat, point.sensor.lon)
        if near <= traffic.APPROACH_RADIUS_M and traffic.SEVERITY[point.state] > traffic.SEVERITY[worst]:
            worst = point.state
    return worst


def _availability_reason(pred: prediction.Prediction, arrive_label: str, words: dict[str, str]) -> str:
    if pred.free is None:
        return words["unknown"]
    if pred.method == prediction.NOW:
        if pred.short_history:
            return ngettext(
                "%(free)d free space now; too little history to predict %(time)s, assumed unchanged.",
                "%(free)d free spaces now; too little history to predict %(time)s, assumed unchanged.",
                pred.free,
            ) % {"free": pred.free, "time": arrive_label}
        return ngettext("%(free)d free space now.", "%(free)d free spaces now.", pred.free) % {"free": pred.free}
    if pred.free == 0:
        return words["usually_full"] % {"time": arrive_label, "weeks": pred.weeks}
    return ngettext(
        "About %(free)d free space expected at %(time)s (history of %(weeks)d weeks%(trend)s).",
        "About %(free)d free spaces expected at %(time)s (history of %(weeks)d weeks%(trend)s).",
        pred.free,
    ) % {
        "free": pred.free,
        "time": arrive_label,
        "weeks": pred.weeks,
        "trend": words["trend"] if pred.method == prediction.HISTORY_TREND else "",
    }


def search(
    *,
    city: City,
    lat: float,
    lon: float,
    now: datetime,
    arrive_at: datetime,
    max_walk_m: int = DEFAULT_MAX_WALK_M,
    height_cm: int | None = None,
    disabled: bool = False,
    ev: bool = False,
    limit: int = 10,
) -> SearchOutcome:
    """Ranks the city's car parks for a destination; see the module docstring for the score."""
    arrive_label = arrive_at.astimezone(city.zone).strftime("%H:%M")
    words, approach_reasons = translated(REASONS), translated(traffic.APPROACH_REASONS)
    south, west, north, east = geo.bbox_around(lat, lon, max_walk_m / geo.WALK_DETOUR)
    # One read for both kinds of candidates: the walking reach (city, lat, lon index) or the city's
    # park-and-rides (partial index); PostgreSQL ORs the two index scans. The same read brings the
    # worker's profiles at the arrival's and now's quarter-hours (profiles.py).
    at_centre, now_centre = profiles.centre(arrive_at), profiles.centre(now)
    lives = selectors.search_car_parks_rows(
        city=city, now=now, box=(south, west, north, east),
        at_slot=profiles.slot_of(at_centre), now_slot=profiles.slot_of(now_centre),
    )
    nearby = [item for item in lives if south <= item.car_park.lat <= north and west <= item.car_park.lon <= east]
    points = selectors.list_counting_points(city=city, now=now)
    needs_history = (arrive_at - now).total_seconds() > prediction.NOW_HORIZON_MINUTES * 60
    history: dict = {}
    loaded: set[int] = set()
    read_history: set[int] = set()  # car parks whose history was read here, the worker's profile being missing

    def profiled(item) -> bool:
        """The worker's profiles stand for this car park's history (at arrival, and now if there is a reading)."""
        row = item.car_park
        if not profiles.usable(row.at_through, at_centre, now):
            return False
        return item.live.available is None or profiles.usable(row.usual_through, now_centre, now)

    def load(items) -> None:
        """History windows of these car parks without a usable profile, in one query; none when the
        arrival is too near to use them."""
        if not needs_history:
            return
        wanted = [item for item in items if item.car_park.free_stream not in (None, *loaded) and not profiled(item)]
        streams = [item.car_park.free_stream for item in wanted]
        if streams:
            history.update(prediction.load_history(datastream_ids=streams, now=now, arrive_at=arrive_at))
            loaded.update(streams)
            read_history.update(item.car_park.pk for item in wanted)

    def eligible(car_park: CarParkRow) -> bool:
        if not is_open_at(car_park.opening_hours, arrive_at, city.timezone):
            return False
        if height_cm and car_park.max_height_cm is not None and car_park.max_height_cm < height_cm:
            return False
        if disabled and not car_park.disabled_places:
            return False
        return not (ev and not car_park.ev_places)

    def predicted(item) -> prediction.Prediction:
        row = item.car_park
        if needs_history and row.free_stream is not None and row.free_stream not in loaded and profiled(item):
            return prediction.predict_from_profile(
                at_arrival=row.at_free,
                weeks=row.at_weeks or 0,
                usual_now=row.usual_free,
                free_now=item.live.available,
                capacity=row.capacity,
                now=now,
                arrive_at=arrive_at,
            )
        stream = row.free_stream
        return prediction.predict(
            history=history.get(stream) if stream else None,
            free_now=item.live.available,
            capacity=row.capacity,
            now=now,
            arrive_at=arrive_at,
        )

    scored: list[Result] = []
    walks = {}
    for item in nearby:
        walk = geo.walk(lat, lon, item.car_park.lat, item.car_park.lon)
        if walk[0] <= max_walk_m and eligible(item.car_park):
            walks[item.car_park.pk] = walk
    candidates = [item for item in nearby if item.car_park.pk in walks]
    prices = [item.car_park.price_2h for item in candidates if item.car_park.price_2h is not None]
    dearest = max(prices) if prices else None
    park_and_rides = _park_and_rides_in_order(
        [item for item in lives if item.car_park.park_and_ride and eligible(item.car_park)], lat=lat, lon=lon, city=city
    )
    load(candidates + [pair[0] for pair in park_and_rides[:PARK_AND_RIDE_BATCH]])  # the likely ones, in one read
    for item in candidates:
        car_park = item.car_park
        walk_m, walk_min = walks[car_park.pk]
        pred = predicted(item)
        reasons = [_availability_reason(pred, arrive_label, words)]
        availability = UNKNOWN_AVAILABILITY if pred.free is None else min(1.0, pred.free / PLENTY)
        walk_part = max(0.0, 1.0 - walk_m / max_walk_m)
        reasons.append(words["walk"] % {"minutes": walk_min, "metres": walk_m})
        if car_park.is_free:
            price_part = 1.0
            reasons.append(words["free"])
        elif car_park.price_2h is None:
            price_part = 0.5
            reasons.append(words["price_unknown"])
        else:
            price_part = 1.0 - float(car_park.price_2h / dearest) if dearest else 1.0
            reasons.append(words["price"] % {"price": _price(car_park.price_2h)})
        score = WEIGHTS["availability"] * availability + WEIGHTS["walk"] * walk_part + WEIGHTS["price"] * price_part
        if pred.free == 0:
            score /= FULL_DIVISOR
            reasons.append(words["ranked_down"])
        approach = _approach_state(car_park, points)
        penalty = traffic.APPROACH_PENALTY.get(approach, 0.0)
        if penalty:
            score -= penalty
            reasons.append(approach_reasons[approach])
        if height_cm and car_park.max_height_cm is None:
            reasons.append(words["height_unknown"])
        if car_park.approximate_location:
            reasons.append(words["approximate"])
        scored.append(Result(car_park, item.live, pred, walk_m, walk_min, round(max(0.0, score), 1), approach, reasons))
    scored.sort(key=lambda r: (-r.score, r.walk_m, r.car_park.name))
    return SearchOutcome(
        results=scored[:limit],
        alternative=_best_alternative(park_and_rides, lat=lat, lon=lon, load=load, predicted=predicted, words=words),
        arrive_at=arrive_at,
        now=now,
        prediction_source=(
            "now" if not needs_history else f"history-read={len(read_history)}" if read_history else "profiles"
        ),
    )


def _trip(car_park: CarParkRow, *, lat: float, lon: float, city: City) -> tuple[int, int, int | None]:
    """Walk (metres, minutes) from the P+R line's centre stop to the destination, and the total minutes."""
    stop_lat = car_park.transit_stop_lat if car_park.transit_stop_lat is not None else city.centre_lat
    stop_lon = car_park.transit_stop_lon if car_park.transit_stop_lon is not None else city.centre_lon
    walk_m, walk_min = geo.walk(stop_lat, stop_lon, lat, lon)
    total = car_park.transit_minutes + walk_min if car_park.transit_minutes is not None else None
    return walk_m, walk_min, total


def _park_and_rides_in_order(items, *, lat: float, lon: float, city: City) -> list[tuple[object, tuple]]:
    """(item, trip) of each P+R, quickest trip first; equally quick ones by free spaces now."""
    trips = [(item, _trip(item.car_park, lat=lat, lon=lon, city=city)) for item in items]

    def order(pair):
        item, (_walk_m, _walk_min, total) = pair
        free_now = item.live.available
        return (total is None, total or 0, free_now is None, -(free_now or 0), item.car_park.name)

    return sorted(trips, key=order)


def _best_alternative(ordered, *, lat: float, lon: float, load, predicted, words: dict[str, str]) -> Alternative | None:
    """The quickest park-and-ride to the destination (transit + walk) expected to have room.

    `ordered` comes from `_park_and_rides_in_order`; the history of the first PARK_AND_RIDE_BATCH is
    read with the search's candidates. The first one expected to have room wins (one whose free
    spaces cannot be told only if none can be found). Only when the quickest ones are all expected
    to be full is the history of the others read, in one more query: a city with many P+Rs costs
    at most two reads of history, like a town with one.
    """
    best = unknown = None
    for batch in (ordered[:PARK_AND_RIDE_BATCH], ordered[PARK_AND_RIDE_BATCH:]):
        load([pair[0] for pair in batch])
        for item, trip in batch:
            pred = predicted(item)
            if pred.free is None and unknown is None:
                unknown = (item, pred, trip)
            elif pred.free:
                best = (item, pred, trip)
                break
        if best is not None:
            break
    best = best or unknown
    if best is None:
        return None
    item, pred, (walk_m, walk_min, total) = best
    car_park, live = item.car_park, item.live
    estimate = co2.avoided(
        park_and_ride=(car_park.lat, car_park.lon), destination=(lat, lon), transit_line=car_park.transit_line
    )
    reasons = []
    if pred.free is None:
        reasons.append(words["alternative_unknown"])
    else:
        reasons.append(
            ngettext("About %(free)d free space.", "About %(free)d free spaces.", pred.free) % {"free": pred.free}
        )
    if car_park.transit_line and car_park.transit_minutes is not None:
        reasons.append(
            words["transit"] % {"line": car_park.transit_line, "minutes": car_park.transit_minutes, "walk": walk_min}
        )
    reasons.append(words["co2"] % {"kg": formats.number_format(round(estimate.avoided_kg, 1), decimal_pos=1)})
    return Alternative(
        car_park,
        live,
        pred,
        car_park.transit_line,
        car_park.transit_minutes,
        walk_m,
        walk_min,
        total,
        estimate,
        reasons,
    )
