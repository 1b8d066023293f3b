"""A city's name after "of", as each language writes it.

French elides "de" before a vowel sound ("d'Aix-en-Provence", "de Rouen"); English needs nothing
(the sentence says "of"). A French translation that speaks of a city drops its own "de" and uses
this form: msgid "News of %(city)s", msgstr "Actualités %(city)s", with
`city=of_city(name)` — "Actualités d'Aix-en-Provence", "News of Aix-en-Provence".
"""

import unicodedata

from django.utils.translation import get_language

VOWELS = set("aeiouy")


def french_de(name: str) -> str:
    """ "de Rouen", "d'Aix-en-Provence", "d'Évreux" (a mute h is not guessed: "de Honfleur")."""
    first = unicodedata.normalize("NFKD", name.strip()[:1]).encode("ascii", "ignore").decode().lower()
    return f"d'{name}" if first in VOWELS else f"de {name}"


def of_city(name: str, language: str | None = None) -> str:
    """The name as it follows "of" in `language` (the active one by default)."""
    language = (language or get_language() or "fr").split("-")[0]
    return french_de(name) if language == "fr" else name
