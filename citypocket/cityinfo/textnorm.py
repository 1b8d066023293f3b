"""Words of a street or an item as the searches compare them: lower case, no accents, no punctuation.

Shared by the address search (`cityinfo.addresses`) and the models that store a search text
(`cityinfo.waste_models`), without either importing the other.
"""

import re
import unicodedata

WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case, accents off, punctuation (apostrophes, hyphens) as spaces: "Rue Jeanne-d'Arc" →
    "rue jeanne d arc"."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(WORD.findall(plain))


def search_text(*parts: str) -> str:
    """The words of `parts`, normalised, each preceded by a space (so ` word` matches a word's start)."""
    words = normalise(" ".join(part for part in parts if part)).split()
    return "".join(f" {word}" for word in words) + " "
