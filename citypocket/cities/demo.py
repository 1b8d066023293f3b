"""The two demo cities, with real facts.

Rouen: Hôtel de Ville (49.4431 N, 1.0993 E), INSEE 76540; the bounding box covers the
Métropole Rouen Normandie's 71 communes. Aix-en-Provence: the Rotonde / cours Mirabeau
(43.5263 N, 5.4475 E), INSEE 13001; the box covers the commune.
"""

from citypocket.cities.models import City

DEMO_CITIES = [
    {
        "slug": "rouen",
        "name": "Rouen",
        "official_name": "Métropole Rouen Normandie",
        "insee_codes": ["76540"],
        "centre_lat": 49.4431,
        "centre_lon": 1.0993,
        "bbox_south": 49.2650,
        "bbox_west": 0.8600,
        "bbox_north": 49.5400,
        "bbox_east": 1.2700,
        "timezone": "Europe/Paris",
        "default_language": "fr",
        "languages": ["fr", "en"],
        "brand_colour": "#A1002B",
    },
    {
        "slug": "aix-en-provence",
        "name": "Aix-en-Provence",
        "official_name": "Ville d'Aix-en-Provence",
        "insee_codes": ["13001"],
        "centre_lat": 43.5263,
        "centre_lon": 5.4475,
        "bbox_south": 43.4380,
        "bbox_west": 5.2500,
        "bbox_north": 43.6300,
        "bbox_east": 5.5600,
        "timezone": "Europe/Paris",
        "default_language": "fr",
        "languages": ["fr", "en"],
        "brand_colour": "#00507A",
    },
]


def load_demo_cities() -> str:
    for facts in DEMO_CITIES:
        City.objects.update_or_create(slug=facts["slug"], defaults=facts)
    return f"{len(DEMO_CITIES)} demo cities"
