"""Demo car parks and counting points of Aix-en-Provence and Rouen.

Car parks: `data/demo_carparks_rouen_aix.csv`, a copy of the project's shared
demo_carparks_rouen_aix.csv (see its SOURCES.md) with one addition: the capacity of Rouen's Palais
de Justice / Espace du Palais (1 400 places, the shopping centre's fr.wikipedia article, sourced in
the row). Aix = Atomik31/Dashboard-parking config.py @ 99c4496 (facts only); Rouen capacities =
actu.fr, 30 Dec 2025 (relayed by europesays.com/fr/630619) and tendanceouest.com; Rouen coordinates
are estimates flagged APPROX_UNVERIFIED -> `approximate_location=True`. Each row's sources are kept
in `provenance`.

Park-and-ride (assumptions documented in docs/mobility.md):
- Rouen: Mont-Riboudet (P+R Kindarena) is a real P+R at the TEOR hub (CSV notes); TEOR line to
  Théâtre des Arts, ~10 min (typical time, to be confirmed with the network timetable);
- Aix: none of the nine SEMEPA car parks is a P+R, so the demo adds the Krypton parking relais
  with an approximate location, an assumed bus link and its 900 places (aixenprovence.fr, 2023:
  "Le parking relais Krypton fête ses 20 ans", terminus of the Aixpress line).

Prices, heights, EV and disabled places are not in the CSV and stay empty (unknown), never invented.

Operator SIRET: the national schema requires one, and no public source the demo could cite gives
the operators' (SEMEPA, Rouen Normandie Stationnement, Pays d'Aix Mobilité, the Espace du Palais).
So that the demo's national-schema CSV (and the open-data `car-parks` dataset) is not empty, a demo
car park without a SIRET gets `SIMULATED_SIRET`, all zeros (a value no company has, which passes
the schema's SIRET check) and says so in its `info` (a column of the schema) and its provenance.
A SIRET entered by the city is never overwritten.

National ids: none is published for these car parks; each gets the next free `INSEE-P-xxx` of its
city when saved (see `CarPark.save`).
"""

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.utils.text import slugify

from citypocket.cities.models import City
from citypocket.mobility import history as simulated
from citypocket.mobility import profiles
from citypocket.mobility.models import SIMULATED_SIRET, CarPark, StructureType
from citypocket.mobility.services import ensure_car_park, ensure_counting_point
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.models import Observation
from citypocket.sensors.readings import Parsed

SIMULATED_SIRET_INFO = ("Démonstration : SIRET de l'exploitant simulé (00000000000000), "
                        "à remplacer par celui de l'exploitant.")
SIMULATED_SIRET_PROVENANCE = "operator SIRET: simulated for the demo (00000000000000), not the operator's"

HISTORY_DAYS = 29  # four weeks and a day: enough for the same-weekday profile of any arrival time

DATA = Path(__file__).parent / "data" / "demo_carparks_rouen_aix.csv"
CITY_SLUGS = {"Aix-en-Provence": "aix-en-provence", "Rouen": "rouen"}
PREFIX = {"aix-en-provence": "AIX", "rouen": "ROUEN"}

PARK_AND_RIDE = {
    ("rouen", "mont-riboudet"): {
        "transit_line": "TEOR (T1, T2, T3)",
        "transit_minutes": 10,
        "transit_stop_lat": 49.4400,
        "transit_stop_lon": 1.0877,
    },
}
EXTRA = [
    {
        "city": "aix-en-provence",
        "slug": "krypton",
        "name": "Parking relais Krypton",
        "external_id": "AIX-P-KRYPTON",
        "lat": 43.5213,
        "lon": 5.4120,
        "operator": "Pays d'Aix Mobilité",
        "capacity": 900,
        "park_and_ride": True,
        "structure_type": StructureType.SURFACE,
        "transit_line": "Bus Aixpress",
        "transit_minutes": 12,
        "transit_stop_lat": 43.5263,
        "transit_stop_lon": 5.4453,
        "approximate_location": True,
        "provenance": (
            "Demo assumption: park-and-ride west of the centre (parking relais Krypton); location approximate, "
            "transit line and time assumed. Capacity: 900 places, aixenprovence.fr 'Le parking relais Krypton "
            "fête ses 20 ans' (2023). Replace with the operator's open data."
        ),
    }
]
COUNTING_POINTS = {
    "aix-en-provence": [
        ("AIX-T-BELGES", "Avenue des Belges", 43.5246, 5.4428),
        ("AIX-T-ROI-RENE", "Boulevard du Roi René", 43.5249, 5.4510),
        ("AIX-T-REPUBLIQUE", "Boulevard de la République", 43.5284, 5.4421),
    ],
    "rouen": [
        ("ROUEN-T-MONT-RIBOUDET", "Avenue du Mont-Riboudet", 49.4512, 1.0760),
        ("ROUEN-T-QUAI-HAVRE", "Quai du Havre", 49.4395, 1.0850),
        ("ROUEN-T-YSER", "Boulevard de l'Yser", 49.4471, 1.0992),
    ],
}


def car_park_slug(name: str) -> str:
    """`Rambot (Prêcheurs/Arts et Métiers)` -> `rambot`; `Palais de Justice / Espace…` -> `palais-de-justice`."""
    return slugify(name.split("(")[0].split("/")[0].strip())


def external_id(city_slug: str, slug: str) -> str:
    return f"{PREFIX[city_slug]}-P-{slug.upper()}"


def mark_simulated_siret(car_park: CarPark) -> None:
    """Gives a demo car park without a SIRET the simulated one, flagged in `info` and `provenance`."""
    if car_park.operator_siret not in ("", SIMULATED_SIRET):
        return  # the city's own
    car_park.operator_siret = SIMULATED_SIRET
    car_park.info = SIMULATED_SIRET_INFO
    if SIMULATED_SIRET_PROVENANCE not in car_park.provenance:
        car_park.provenance = "; ".join(part for part in (car_park.provenance, SIMULATED_SIRET_PROVENANCE) if part)
    car_park.save(update_fields=["operator_siret", "info", "provenance"])


def seed_history(*, city: City, now: datetime, days: int = HISTORY_DAYS) -> int:
    """Simulated readings every 15 min over the past `days` for car parks of known capacity (idempotent).

    Skipped for a car park that already has readings older than a week (real or seeded history).
    """
    end = now.astimezone(UTC).replace(second=0, microsecond=0)
    end -= timedelta(minutes=end.minute % 15)
    start = end - timedelta(days=days)
    count = 0
    for car_park in CarPark.objects.filter(city=city, capacity__isnull=False, sensor__isnull=False).select_related(
        "sensor"
    ):
        if Observation.objects.filter(
            datastream__sensor=car_park.sensor, datastream__property="available_spots",
            phenomenon_time__lt=end - timedelta(days=7),
        ).exists():
            continue
        batch = simulated.readings(sensor=car_park.sensor.external_id, key=f"{city.slug}:{car_park.slug}",
                                   capacity=car_park.capacity, start=start, end=end + timedelta(seconds=1),
                                   tz=city.timezone)
        count += ingest_observations(city=city, batch=Parsed.from_readings(batch), source="demo-history").accepted
    return count


def load(*, history: bool = True) -> str:
    cities = {c.slug: c for c in City.objects.filter(slug__in=CITY_SLUGS.values())}
    count = 0
    with DATA.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            city = cities.get(CITY_SLUGS[row["city"]])
            if city is None:
                continue
            slug = car_park_slug(row["name"])
            # Estimates flagged APPROX_UNVERIFIED, and a proxy position (another site's coordinates).
            approximate = "APPROX_UNVERIFIED" in row["coord_source"] or "proxy" in row["coord_source"].lower()
            provenance = "; ".join(
                part
                for part in (
                    f"capacity: {row['capacity_source']}",
                    f"coordinates: {row['coord_source']}",
                    f"notes: {row['notes']}" if row["notes"] else "",
                    "compiled in demo_carparks_rouen_aix.csv (CityPocket shared data)",
                )
                if part
            )
            extra = PARK_AND_RIDE.get((city.slug, slug), {})
            car_park = ensure_car_park(
                city=city,
                slug=slug,
                name=row["name"],
                external_id=external_id(city.slug, slug),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                operator=row["operator"],
                capacity=int(row["capacity"]) if row["capacity"] else None,
                # SEMEPA and RNS run "parkings en ouvrage"; the P+R and the private one are unknown.
                structure_type=StructureType.UNDERGROUND
                if row["operator"].startswith(("SEMEPA", "Rouen Normandie"))
                else "",
                park_and_ride=bool(extra),
                approximate_location=approximate,
                provenance=provenance,
                simulated=True,
                **extra,
            )
            mark_simulated_siret(car_park)
            count += 1
    for item in EXTRA:
        city = cities.get(item["city"])
        if city is None:
            continue
        fields = {k: v for k, v in item.items() if k not in ("city", "slug", "name", "external_id", "lat", "lon")}
        mark_simulated_siret(ensure_car_park(
            city=city,
            slug=item["slug"],
            name=item["name"],
            external_id=item["external_id"],
            lat=item["lat"],
            lon=item["lon"],
            simulated=True,
            **fields,
        ))
        count += 1
    points = 0
    for city_slug, rows in COUNTING_POINTS.items():
        city = cities.get(city_slug)
        if city is None:
            continue
        for ext_id, road, lat, lon in rows:
            ensure_counting_point(city=city, external_id=ext_id, name=road, lat=lat, lon=lon, road=road, simulated=True)
            points += 1
    seeded = 0
    if history:
        now = datetime.now(UTC)
        for city in cities.values():
            seeded += seed_history(city=city, now=now)
            # The search's usual free spaces, at once rather than at the worker's next night.
            profiles.refresh(city=city, now=now, full=True)
    return f"{count} car parks, {points} traffic counting points, {seeded} simulated past readings"
