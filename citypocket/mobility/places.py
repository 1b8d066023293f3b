"""Landmarks offered as destinations in the parking page's picker.

Coordinates are approximate (to ~50 m), read from public maps for the demo; a city can replace
this list. Each entry: (key, name, lat, lon).
"""

LANDMARKS: dict[str, list[tuple[str, str, float, float]]] = {
    "aix-en-provence": [
        ("rotonde", "La Rotonde (fontaine)", 43.5263, 5.4453),
        ("cours-mirabeau", "Cours Mirabeau", 43.5270, 5.4475),
        ("hotel-de-ville", "Hôtel de Ville", 43.5297, 5.4473),
        ("cathedrale", "Cathédrale Saint-Sauveur", 43.5326, 5.4471),
        ("gare", "Gare d'Aix-en-Provence centre", 43.5222, 5.4451),
    ],
    "rouen": [
        ("gros-horloge", "Gros-Horloge", 49.4413, 1.0920),
        ("cathedrale", "Cathédrale Notre-Dame", 49.4402, 1.0948),
        ("vieux-marche", "Place du Vieux-Marché", 49.4428, 1.0883),
        ("theatre-des-arts", "Théâtre des Arts", 49.4400, 1.0877),
        ("gare", "Gare de Rouen-Rive-Droite", 49.4489, 1.0939),
    ],
}


def landmarks(city_slug: str) -> list[tuple[str, str, float, float]]:
    return LANDMARKS.get(city_slug, [])


def find(city_slug: str, key: str) -> tuple[str, str, float, float] | None:
    return next((item for item in landmarks(city_slug) if item[0] == key), None)
