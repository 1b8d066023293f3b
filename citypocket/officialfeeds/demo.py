"""Demo states of the official feeds for Rouen (76) and Aix-en-Provence (13), from the test fixtures.

`make run` needs no external service: the states are read from the real-shaped fixtures
(tests/fixtures, see SOURCES.md) and stored marked `is_demo`, through the same services as a live
fetch. Rouen: no water restriction, yellow weather warning; Aix: "alerte" with watering hours, orange
warning. A live feed (OFFICIALFEEDS_* variables) replaces them at its first read.
"""

import json
from pathlib import Path

from citypocket.cities.models import City
from citypocket.officialfeeds import services, vigieau, vigilance
from citypocket.officialfeeds.models import WaterRestriction

FIXTURES = Path(__file__).parent / "tests" / "fixtures"
WATER = {"rouen": ("vigieau_none_76540.json", 404), "aix-en-provence": ("vigieau_alerte_13001.json", 200)}


def read_fixture(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def load_demo() -> str:
    """Idempotent: a city whose commune already has a state (demo or live) is left as it is."""
    warnings_map = read_fixture("vigilance_encours.json")
    loaded = []
    for city in City.objects.filter(slug__in=WATER):
        name, status = WATER[city.slug]
        state = vigieau.parse_zones(read_fixture(name), status=status)
        for code in city.insee_codes or []:
            if WaterRestriction.objects.filter(city=city, commune_code=code).exists():
                continue
            services.record_water_state(city=city, commune_code=code, state=state, is_demo=True)
            department = vigilance.department_of(code)
            services.record_weather_warning(
                city=city, state=vigilance.parse_vigilance(warnings_map, department=department), is_demo=True
            )
            loaded.append(city.slug)
    return f"official feeds: demo states for {', '.join(sorted(set(loaded))) or 'nothing new'}"
