"""Places offered as destinations in the parking page: the city's landmarks and its public places.

Landmark coordinates are approximate (to ~50 m), read from public maps for the demo; a city can
replace this list. Each entry: (key, name, lat, lon). The city's places of city information
(`cityinfo.Place`: town hall, library, swimming pool…) are offered too.
"""

from citypocket.cityinfo.textnorm import normalise

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


def destinations(city_slug: str) -> list[tuple[str, str, float, float]]:
    """The landmarks, then the city's active public places (by name), without repeated names."""
    # City information owns the places; read here only to offer them as destinations.
    from citypocket.cityinfo.models import Place

    found = list(landmarks(city_slug))
    seen = {normalise(name) for _key, name, _lat, _lon in found}
    for slug, name, lat, lon in (
        Place.objects.filter(city__slug=city_slug, is_active=True).order_by("name").values_list("slug", "name", "lat",
                                                                                               "lon")
    ):
        if normalise(name) not in seen:
            seen.add(normalise(name))
            found.append((f"place:{slug}", name, lat, lon))
    return found


def match(city_slug: str, text: str) -> tuple[str, str, float, float] | None:
    """The destination named by the text typed (accents, case and punctuation ignored): the one of that
    very name, else the first whose name has a word starting with each word typed ("rotonde" finds
    "La Rotonde (fontaine)"); None when no name matches."""
    wanted = normalise(text)
    if not wanted:
        return None
    candidates = destinations(city_slug)
    exact = next((item for item in candidates if normalise(item[1]) == wanted), None)
    if exact:
        return exact
    words = wanted.split()
    for item in candidates:
        name_words = normalise(item[1]).split()
        if all(any(word_of_name.startswith(word) for word_of_name in name_words) for word in words):
            return item
    return None
