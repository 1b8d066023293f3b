"""Searching and faceting a city's datasets for the portal, in French and English.

On PostgreSQL: full-text search over titles, descriptions and keywords of both languages, the
French side with the `citypocket_french` configuration (accents dropped by `unaccent`, then French
stemming: "qualite de l'air" finds "Qualité de l'air", "parkings" finds "parking") and the English
side with the `english` configuration; a dataset matches when either side does. Stemming is
generous ("stationnement" and "stations" share the stem "station"), so datasets holding the words
as typed (accents aside) come first: the car parks before the air stations.

On SQLite (laptops, tests): the same fields, lowercased and stripped of accents in Python, every
word of the query (stop words aside) having to start a word of the text, a final plural `s`/`x`
forgiven. A city publishes tens of datasets, not millions, so this fallback reads them all.

Facets are counted in Python over the matching datasets (their distributions are prefetched). Values
of one facet are alternatives, facets combine; each facet is counted as if its own choice were not
made (the usual "disjunctive" facets), so that another value can be added to it.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from citypocket.opendata import vocabularies as voc

FRENCH_CONFIG = "citypocket_french"  # created by migration 0002_portal (unaccent + french_stem)
EXACT_CONFIG = "citypocket_simple"  # idem: unaccent, no stemming
ENGLISH_CONFIG = "english"
FIELDS = ("title_fr", "title_en", "keywords_fr", "keywords_en", "description_fr", "description_en")
MAX_QUERY_LENGTH = 200

# Words that carry no meaning in a dataset search (both languages); PostgreSQL has its own lists.
STOP_WORDS = frozenset({
    "a", "au", "aux", "avec", "ce", "ces", "d", "dans", "de", "des", "du", "en", "et", "l", "la", "le", "les",
    "ou", "par", "pour", "sur", "un", "une",
    "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with",
})

FACETS = ("theme", "publisher", "format", "licence", "high_value")


def normalise(text: str) -> str:
    """Lowercase, without accents or punctuation: "Qualité de l'air" -> "qualite de l air"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


def query_words(q: str) -> list[str]:
    return [_stem(w) for w in normalise(q[:MAX_QUERY_LENGTH]).split() if w not in STOP_WORDS]


def searchable_text(dataset) -> str:
    """Everything the search reads of a dataset, both languages."""
    parts = [dataset.title_fr, dataset.title_en, dataset.description_fr, dataset.description_en,
             *(dataset.keywords_fr or []), *(dataset.keywords_en or [])]
    return normalise(" ".join(p for p in parts if p))


def matches(words: list[str], text: str) -> bool:
    """Every query word starts a word of the text (the SQLite fallback)."""
    stems = {_stem(w) for w in text.split()}
    return all(any(s.startswith(word) for s in stems) for word in words)


def full_text(datasets: QuerySet, q: str) -> QuerySet:
    """The datasets matching `q`, best first; on SQLite in the order given."""
    q = q.strip()[:MAX_QUERY_LENGTH]
    if not q:
        return datasets
    if connection.vendor == "postgresql":
        return _postgres(datasets, q)
    words = query_words(q)
    if not words:
        return datasets
    keep = [d.pk for d in datasets if matches(words, searchable_text(d))]
    return datasets.filter(pk__in=keep)


def _postgres(datasets: QuerySet, q: str) -> QuerySet:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    # Keywords are JSON lists: as text their words are what counts, the brackets are punctuation.
    french = (SearchVector("title_fr", weight="A", config=FRENCH_CONFIG)
              + SearchVector(Cast("keywords_fr", TextField()), weight="B", config=FRENCH_CONFIG)
              + SearchVector("description_fr", weight="C", config=FRENCH_CONFIG))
    english = (SearchVector("title_en", weight="A", config=ENGLISH_CONFIG)
               + SearchVector(Cast("keywords_en", TextField()), weight="B", config=ENGLISH_CONFIG)
               + SearchVector("description_en", weight="C", config=ENGLISH_CONFIG))
    # websearch syntax never fails to parse: quotes, "or" and "-word" work, anything else is words.
    exact = SearchVector(*(Cast(name, TextField()) if name.startswith("keywords") else name for name in FIELDS),
                         config=EXACT_CONFIG)
    french_query = SearchQuery(q, config=FRENCH_CONFIG, search_type="websearch")
    english_query = SearchQuery(q, config=ENGLISH_CONFIG, search_type="websearch")
    exact_query = SearchQuery(q, config=EXACT_CONFIG, search_type="websearch")
    return (datasets.annotate(fr_document=french, en_document=english, exact_document=exact)
            .filter(Q(fr_document=french_query) | Q(en_document=english_query))
            .annotate(exact_match=ExpressionWrapper(Q(exact_document=exact_query), output_field=BooleanField()),
                      rank=SearchRank(F("fr_document"), french_query) + SearchRank(F("en_document"), english_query))
            .order_by("-exact_match", "-rank", "slug"))


# --- Facets


def publisher_label(dataset) -> str:
    """Who publishes a dataset: its original publisher when harvested (a field the harvest adds),
    else the city."""
    return getattr(dataset, "publisher_name", "") or dataset.city.official_name


def _values(dataset, facet: str) -> set[str]:
    if facet == "theme":
        return set(dataset.themes or [])
    if facet == "publisher":
        return {publisher_label(dataset)}
    if facet == "format":
        return {d.format for d in dataset.distributions.all()}
    if facet == "licence":
        return {dataset.licence}
    if facet == "high_value":
        return {"yes" if dataset.hvd_category else "no"}
    raise ValueError(facet)


def facet_label(facet: str, value: str, language: str) -> str:
    english = language == "en"
    if facet == "theme":
        labels = voc.DATA_THEMES.get(value)
        return labels[1 if english else 0] if labels else value
    if facet == "format":
        return value.upper() if value != "geojson" else "GeoJSON"
    if facet == "licence":
        return str(dict(voc.LICENCES).get(value, value))
    if facet == "high_value":
        return str(_("High-value dataset (EU)") if value == "yes" else _("Other datasets"))
    return value


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    values: tuple[FacetValue, ...]


@dataclass(frozen=True)
class SearchResult:
    datasets: list
    facets: tuple[Facet, ...]
    query: str
    selected: dict[str, tuple[str, ...]] = field(default_factory=dict)


def apply_facets(datasets: Iterable, selected: dict[str, tuple[str, ...]]) -> list:
    """Values of one facet are alternatives (OR); facets combine (AND)."""
    return [d for d in datasets
            if all(not wanted or _values(d, facet) & set(wanted) for facet, wanted in selected.items())]


def count_facets(matching: list, selected: dict[str, tuple[str, ...]], language: str) -> tuple[Facet, ...]:
    """Each facet counted over the matching datasets filtered by the *other* facets, so that its
    other values keep their counts and can be added (OR) to the chosen one."""
    facets = []
    for name in FACETS:
        others = {facet: wanted for facet, wanted in selected.items() if facet != name}
        counts = Counter(value for d in apply_facets(matching, others) for value in _values(d, name))
        wanted = selected.get(name, ())
        for value in wanted:  # a chosen value stays visible (to be unticked) even at zero
            counts.setdefault(value, 0)
        values = sorted((FacetValue(v, facet_label(name, v, language), n, v in wanted) for v, n in counts.items()),
                        key=lambda item: (-item.count, item.label))
        if values:
            facets.append(Facet(name, tuple(values)))
    return tuple(facets)
