"""The one search of a city: news, events, places, participation, car parks, air stations, the sorting guide…

**Registry.** An app declares what it lets people find in `<app>/searchable.py` (imported by
`discover_searchables`, as `<app>/opendata.py` is for the open-data catalog; `mobility/search.py`
already names the car-park finder, hence the other name), one `SearchKind` per kind of item:

    register(SearchKind(
        slug="places", label_fr="Lieux", label_en="Places", model=Place, order=30,
        queryset=lambda city: Place.objects.filter(city=city, is_active=True),
        document=lambda place: SearchDocument(title_fr=place.name, url=..., text_fr=..., ...),
    ))

`queryset(city)` gives the *public* items of a city (the privacy boundary: a draft, a hidden
proposal or another city's item is never in it), `document(item)` what is searched and shown. The
registry connects `post_save`/`post_delete` of the model, so that an item saved through the ORM is
(re)indexed or dropped at once; `rebuild_search_index` (a command, and a nightly clock job) rebuilds
everything, for what a signal cannot see (a bulk update, a process unpublished with its proposals).

**Index.** One `SearchEntry` row per public item. On PostgreSQL, a stored generated `tsvector`
(`french_unaccent` and `english_unaccent` configurations: unaccent, then the Snowball stemmer) with
a GIN index answers the words, and a second one of the titles alone ranks the items whose titles have
them first (`_postgres_best`); when no item has them, `pg_trgm`'s `word_similarity` on the
normalised titles (GIN `gin_trgm_ops` index) answers typos ("piscne" finds "piscine"). On SQLite, every word must appear
in the normalised text (lower case, accents removed); when nothing does, the words are corrected
with `difflib` against the words of the city's titles.
"""

import difflib
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from typing import Any

from django.apps import apps
from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.fields import ArrayField
from django.db import connection, transaction
from django.db.models import BooleanField, Count, F, FloatField, Func, IntegerField, Q, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate, RowNumber
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 100
PER_KIND = 5  # results shown per kind
FILL_CANDIDATES = 200  # text-only matches of a kind ranked to complete it (`_postgres_best`)
TRIGRAM_THRESHOLD = 0.5  # word_similarity of a typo to a title word ("piscne"/"piscine": 0.57)


@dataclass(frozen=True)
class SearchDocument:
    """What one item contributes to the index: shown (titles, summaries, url) and searched (texts)."""

    title_fr: str
    url: str
    title_en: str = ""
    summary_fr: str = ""
    summary_en: str = ""
    text_fr: str = ""
    text_en: str = ""
    visible_from: datetime | None = None  # a scheduled article
    visible_until: datetime | None = None  # an expired article, an event that is over


@dataclass(frozen=True)
class SearchKind:
    slug: str
    label_fr: str
    label_en: str
    model: Any
    queryset: Callable[[Any], Any]  # city -> QuerySet of its public items
    document: Callable[[Any], SearchDocument]
    order: int = 100
    city_of: Callable[[Any], int] = field(default=lambda item: item.city_id)

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_fr


_registry: dict[str, SearchKind] = {}


def register(kind: SearchKind) -> SearchKind:
    _registry[kind.slug] = kind
    post_save.connect(_on_save, sender=kind.model, weak=False, dispatch_uid=f"search-save-{kind.slug}")
    post_delete.connect(_on_delete, sender=kind.model, weak=False, dispatch_uid=f"search-delete-{kind.slug}")
    return kind


def list_kinds() -> list[SearchKind]:
    return sorted(_registry.values(), key=lambda kind: (kind.order, kind.slug))


def get_kind(slug: str) -> SearchKind | None:
    return _registry.get(slug)


def discover_searchables() -> None:
    """Imports `<app>.searchable` of every CityPocket app: each registers the kinds it lets people find."""
    for config in apps.get_app_configs():
        if not config.name.startswith("citypocket."):
            continue
        try:
            import_module(f"{config.name}.searchable")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.searchable":
                raise


def normalise(text: str) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed: "Bibliothèque Villon" -> "bibliotheque villon"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


# --- writing the index -----------------------------------------------------------------------


def _entry_values(kind: SearchKind, item) -> dict:
    doc = kind.document(item)
    titles = normalise(f"{doc.title_fr} {doc.title_en}")
    return {
        "city_id": kind.city_of(item),
        "title_fr": doc.title_fr[:300],
        "title_en": doc.title_en[:300],
        "summary_fr": doc.summary_fr[:300],
        "summary_en": doc.summary_en[:300],
        "url": doc.url[:300],
        "text_fr": doc.text_fr,
        "text_en": doc.text_en,
        "norm": normalise(" ".join((doc.title_fr, doc.title_en, doc.summary_fr, doc.summary_en,
                                    doc.text_fr, doc.text_en))),
        "trgm": titles[:700],
        "visible_from": doc.visible_from,
        "visible_until": doc.visible_until,
    }


def index_item(kind: SearchKind, item) -> bool:
    """(Re)indexes one item if it is public, else drops it; True when it is in the index afterwards."""
    # Models are read when an item is indexed: every app's searchable.py imports this module while the
    # app registry is still loading.
    from citypocket.cities.models import City
    from citypocket.cityinfo.models import SearchEntry

    city_id = kind.city_of(item)
    public = city_id is not None and kind.queryset(City(pk=city_id)).filter(pk=item.pk).first()
    if not public:
        SearchEntry.objects.filter(kind=kind.slug, object_id=str(item.pk)).delete()
        return False
    SearchEntry.objects.update_or_create(kind=kind.slug, object_id=str(item.pk),
                                         defaults=_entry_values(kind, public))
    return True


def _on_save(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # fixtures being loaded
        return
    for kind in _registry.values():
        if kind.model is sender:
            try:
                index_item(kind, instance)
            except Exception:  # the search index must never make a save fail
                logger.exception("search: could not index %s %s", kind.slug, instance.pk)


def _on_delete(sender, instance, **kwargs) -> None:
    # Models are read when asked: searchable.py modules import this one while the apps load.
    from citypocket.cityinfo.models import SearchEntry

    for kind in _registry.values():
        if kind.model is sender:
            SearchEntry.objects.filter(kind=kind.slug, object_id=str(instance.pk)).delete()


def rebuild(city=None, kinds: list[str] | None = None, batch: int = 2000) -> int:
    """Rebuilds the entries of one city (or all) from the declarations, in one transaction; the count."""
    # Models are read when an item is indexed: every app's searchable.py imports this module while the
    # app registry is still loading.
    from citypocket.cities.models import City
    from citypocket.cityinfo.models import SearchEntry

    cities = [city] if city is not None else list(City.objects.all())
    chosen = [kind for kind in list_kinds() if kinds is None or kind.slug in kinds]
    written = 0
    with transaction.atomic():
        for place in cities:
            for kind in chosen:
                SearchEntry.objects.filter(city=place, kind=kind.slug).delete()
                rows = []
                for item in kind.queryset(place).iterator(chunk_size=batch):
                    rows.append(SearchEntry(kind=kind.slug, object_id=str(item.pk), **_entry_values(kind, item)))
                    if len(rows) >= batch:
                        SearchEntry.objects.bulk_create(rows)
                        written += len(rows)
                        rows = []
                SearchEntry.objects.bulk_create(rows)
                written += len(rows)
        if connection.vendor == "postgresql":
            # What was just written waits in the GIN indexes' pending lists, which every search then
            # reads through (4 400 rows of trigrams made a typo search 8 ms slower): merge them now.
            with connection.cursor() as cursor:
                cursor.execute("SELECT gin_clean_pending_list('search_document'::regclass), "
                               "gin_clean_pending_list('search_title_document'::regclass), "
                               "gin_clean_pending_list('search_trgm'::regclass)")
    return written


# --- reading it ------------------------------------------------------------------------------


@dataclass
class SearchHit:
    kind: str
    title: str
    summary: str
    url: str


@dataclass
class SearchGroup:
    kind: str
    label: str
    count: int
    hits: list[SearchHit]


@dataclass
class SearchResults:
    query: str
    groups: list[SearchGroup]
    corrected: bool = False  # typo tolerance found what the words did not

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)


def _visible(moment: datetime) -> Q:
    return (Q(visible_from__isnull=True) | Q(visible_from__lte=moment)) & (
        Q(visible_until__isnull=True) | Q(visible_until__gt=moment)
    )


def search(city, query: str, language: str = "fr", per_kind: int = PER_KIND, moment: datetime | None = None,
           kinds: list[str] | None = None) -> SearchResults:
    """The city's public items matching `query`, grouped by kind (in the registry's order), best first."""
    # Models are read when asked: searchable.py modules import this one while the apps load.
    from citypocket.cityinfo.models import SearchEntry

    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    plain = normalise(query)
    if not plain:
        return SearchResults(query=query, groups=[])
    base = SearchEntry.objects.filter(city=city).filter(_visible(moment or timezone.now()))
    if kinds:
        base = base.filter(kind__in=kinds)
    if connection.vendor == "postgresql":
        rows, corrected = _postgres_best(base, query, per_kind), False
        if not rows:  # no item has the words: a typo?
            rows, corrected = _best(_postgres_close(base, plain), per_kind), True
    else:
        matches, corrected = _fallback_matches(base, plain)
        rows = _best(matches, per_kind)
    by_kind: dict[str, list] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    groups = []
    for kind in list_kinds():
        found = by_kind.get(kind.slug)
        if not found:
            continue
        hits = [SearchHit(kind=kind.slug, title=row.title(language), summary=row.summary(language), url=row.url)
                for row in found]
        groups.append(SearchGroup(kind=kind.slug, label=kind.label(language), count=found[0].found, hits=hits))
    return SearchResults(query=query, groups=groups, corrected=corrected)


_SHOWN = ("id", "kind", "title_fr", "title_en", "summary_fr", "summary_en", "url")


def _best(matches, per_kind: int) -> list:
    """One query for the whole search: the best `per_kind` rows of each kind, each carrying the number of
    matches of its kind (`found`), by two window functions over the matches (`row_number()` and
    `count(*)`, partitioned by kind). The score is computed once per matching row, the matches read
    once; before, a count per kind then a query per kind read and ranked them again."""
    kind, title = F("kind"), F("title_fr").asc()
    if connection.vendor == "postgresql":
        # Byte order, as SQLite compares: a word in many items gives thousands of equal scores, and
        # sorting them by the locale's rules took a quarter of the query (6 of 26 ms for "piscine").
        kind, title = Collate("kind", "C"), Collate("title_fr", "C").asc()
    ranked = matches.only(*_SHOWN).annotate(
        position=Window(RowNumber(), partition_by=[kind], order_by=[F("score").desc(), title]),
        found=Window(Count("id"), partition_by=[kind]),
    )
    return list(ranked.filter(position__lte=per_kind).order_by("kind", "position"))


_TSQUERY = "(websearch_to_tsquery('french_unaccent', %s) || websearch_to_tsquery('english_unaccent', %s))"


def _matching(base, column: str, query: str, negate: bool = False):
    """The rows whose `column` (`document`: everything; `title_document`: the titles) has the words,
    French and English stems, accents ignored. The SQL is constant text, the words bound parameters
    (Django has no expression for `@@` with a named configuration, nor for `<%`)."""
    condition = f"{'NOT ' if negate else ''}{column} @@ {_TSQUERY}"
    return base.filter(RawSQL(condition, (query, query), output_field=BooleanField()))  # noqa: S611


def _ranked(matches, query: str):
    """`ts_rank` over the whole document (titles weigh more)."""
    return matches.annotate(
        score=RawSQL(f"ts_rank(document, {_TSQUERY})", (query, query), output_field=FloatField()),  # noqa: S611
    )


def _postgres_best(base, query: str, per_kind: int) -> list:
    """The best `per_kind` items of each kind, each carrying the number of matches of its kind.

    Items with the words in their title come first, ranked by `ts_rank`; a kind with too few of them
    is completed with items that have the words in their text only. A common word is in the text of
    thousands of items and in the titles of a few dozen, and ranking every match (4 400 for "piscine"
    among 100 000 items) was most of the query's time, for little: a word once in a text scores the
    same as any other text with it once. So one pass over the matches counts them per kind and keeps
    the first FILL_CANDIDATES text-only ones (no rank, no sort); the titles have their own GIN index;
    and a kind short of title matches is completed by ranking its candidates only.
    """
    # Models are read when asked: searchable.py modules import this one while the apps load.
    from citypocket.cityinfo.models import SearchEntry

    text_only = RawSQL(f"NOT title_document @@ {_TSQUERY}", (query, query), output_field=BooleanField())  # noqa: S611
    kinds = (_matching(base, "document", query).order_by().values("kind")
             .annotate(found=Count("id"), others=_Head(ArrayAgg("id", filter=text_only), FILL_CANDIDATES)))
    counts = {row["kind"]: (row["found"], row["others"] or []) for row in kinds}
    if not counts:
        return []
    best = _best(_ranked(_matching(base, "title_document", query), query), per_kind)
    taken = Counter(row.kind for row in best)
    fills = []  # one query for every kind to complete: a UNION ALL of one ranked slice per kind
    for kind, (found, candidates) in sorted(counts.items()):
        wanted = min(found, per_kind) - taken[kind]
        if wanted > 0 and candidates:
            rest = _ranked(SearchEntry.objects.filter(pk__in=candidates), query).only(*_SHOWN)
            fills.append(rest.order_by("-score", Collate("title_fr", "C").asc())[:wanted])
    if fills:
        best += fills[0].union(*fills[1:], all=True) if len(fills) > 1 else fills[0]
    for row in best:
        row.found = counts[row.kind][0]
    return best


class _Head(Func):
    """The first `length` elements of an array (PostgreSQL slice)."""

    template = "(%(expressions)s)[1:%(length)d]"

    def __init__(self, expression, length: int):
        super().__init__(expression, length=length, output_field=ArrayField(IntegerField()))


def _postgres_close(base, plain: str):
    """The titles with a word close to the query (a typo), by trigram word similarity."""
    with connection.cursor() as cursor:  # the threshold of `<%` (0.6 by default), for this session
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [str(TRIGRAM_THRESHOLD)])
    # `<%` is word_similarity >= pg_trgm.word_similarity_threshold, answered by the GIN trigram index
    close = base.filter(RawSQL("%s <%% trgm", (plain,), output_field=BooleanField()))
    return close.annotate(
        score=RawSQL("word_similarity(%s, trgm)", (plain,), output_field=FloatField()),
    )


def _fallback_matches(base, plain: str):
    """SQLite: each word in the normalised text; else each word corrected against the city's title words."""
    words = plain.split()[:8]
    matches = base
    for word in words:
        matches = matches.filter(norm__contains=word)
    title_hit = Q()
    for word in words:
        title_hit &= Q(trgm__contains=word)
    if matches.exists():
        return _fallback_scored(matches, title_hit), False
    vocabulary = set()
    for titles in base.values_list("trgm", flat=True)[:5000]:
        vocabulary.update(titles.split())
    corrected = base
    for word in words:
        close = difflib.get_close_matches(word, vocabulary, n=3, cutoff=0.75)
        if not close:
            return base.none().annotate(score=_zero()), False
        either = Q()
        for candidate in close:
            either |= Q(trgm__contains=candidate)
        corrected = corrected.filter(either)
    return corrected.annotate(score=_zero()), True


def _zero():
    from django.db.models import FloatField, Value

    return Value(0.0, output_field=FloatField())


def _fallback_scored(matches, title_hit: Q):
    from django.db.models import Case, FloatField, Value, When

    return matches.annotate(score=Case(When(title_hit, then=Value(1.0)), default=Value(0.0),
                                       output_field=FloatField()))
