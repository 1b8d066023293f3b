"""The one search (cityinfo.searchindex): accents, typos, stemming, grouping, privacy, page and API.

Runs on SQLite (the normalised-text fallback, difflib for typos) and on PostgreSQL (french_unaccent
full-text search and pg_trgm); the tests marked `postgres` only there.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from citypocket.cityinfo import searchindex
from citypocket.cityinfo.models import PlaceKind, SearchEntry
from citypocket.cityinfo.tests.factories import ArticleFactory, EventFactory, PlaceFactory
from citypocket.mobility.tests.factories import CarParkFactory
from citypocket.participation.tests.factories import ProcessFactory, ProposalFactory
from testsupport import UserFactory

postgres = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL full-text search")

NOW = timezone.now()


def titles(results) -> list[str]:
    return [hit.title for group in results.groups for hit in group.hits]


@pytest.fixture
def rouen_items(rouen):
    return {
        "pool": PlaceFactory(city=rouen, slug="piscine-ile-lacroix", name="Piscine de l'île Lacroix",
                             kind=PlaceKind.POOL, address="Avenue Jacques Chastellain"),
        "library": PlaceFactory(city=rouen, slug="bibliotheque-villon", name="Bibliothèque Villon",
                                kind=PlaceKind.LIBRARY, address="3 rue Jacques Villon"),
        "event": EventFactory(city=rouen, slug="heure-du-conte", title_fr="L'heure du conte à la bibliothèque",
                              title_en="Story time at the library",
                              starts_at=NOW + dt.timedelta(days=2), ends_at=NOW + dt.timedelta(days=2, hours=1)),
        "article": ArticleFactory(city=rouen, slug="travaux-piscine", title_fr="Travaux à la piscine",
                                  title_en="Works at the swimming pool", publish_at=NOW - dt.timedelta(days=1)),
    }


def test_accents_are_ignored(rouen_items, rouen):
    found = searchindex.search(rouen, "bibliotheque")
    assert "Bibliothèque Villon" in titles(found)
    assert "Bibliothèque Villon" in titles(searchindex.search(rouen, "BIBLIOTHÈQUE"))


def test_a_typo_still_finds_the_pool(rouen_items, rouen):
    found = searchindex.search(rouen, "piscne")
    assert "Piscine de l'île Lacroix" in titles(found)
    assert found.corrected
    assert not searchindex.search(rouen, "piscine").corrected


def test_nothing_like_it_finds_nothing(rouen_items, rouen):
    assert searchindex.search(rouen, "zzqxw").groups == []
    assert searchindex.search(rouen, "   ").groups == []


@postgres
def test_french_stemming_and_english_words(rouen_items, rouen):
    assert "Bibliothèque Villon" in titles(searchindex.search(rouen, "bibliothèques"))
    assert "Piscine de l'île Lacroix" in titles(searchindex.search(rouen, "piscines"))
    english = searchindex.search(rouen, "swimming pools", language="en")
    assert "Works at the swimming pool" in titles(english)


@postgres
def test_the_postgres_index_is_used_not_a_scan(rouen_items, rouen):
    """The generated tsvector and the trigram index exist (the migration ran on PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'cityinfo_searchentry'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"search_document", "search_trgm"} <= names


def test_results_are_grouped_by_kind_in_the_registry_order(rouen_items, rouen):
    found = searchindex.search(rouen, "piscine")
    kinds = [group.kind for group in found.groups]
    assert kinds == ["places", "news"]
    assert [group.count for group in found.groups] == [1, 1]
    assert found.total == 2
    bilingual = searchindex.search(rouen, "bibliotheque", language="en")
    event_group = next(group for group in bilingual.groups if group.kind == "events")
    assert event_group.label == "Events"
    assert event_group.hits[0].title == "Story time at the library"
    assert event_group.hits[0].url == "/rouen/agenda/heure-du-conte/"


def test_per_kind_limit_keeps_the_count(rouen):
    for number in range(7):
        PlaceFactory(city=rouen, name=f"Toilettes publiques {number}", kind=PlaceKind.TOILETS)
    group = searchindex.search(rouen, "toilettes", per_kind=5).groups[0]
    assert group.count == 7
    assert len(group.hits) == 5


def test_best_first_then_titles_in_byte_order_and_every_kind_counted(rouen):
    """The one query's window functions: the title match ranks first, equal scores by title, the count
    of each kind is all its matches, not the rows shown."""
    for name in ("Square Gambetta", "Jardin des plantes", "Zoo", "Aire de jeux"):
        PlaceFactory(city=rouen, name=name, kind=PlaceKind.TOILETS, description_fr="Un banc près du kiosque.")
    PlaceFactory(city=rouen, name="Kiosque à musique", kind=PlaceKind.TOILETS)
    for number in range(3):
        ArticleFactory(city=rouen, title_fr=f"Le kiosque rouvre {number}", publish_at=NOW - dt.timedelta(days=1))
    found = searchindex.search(rouen, "kiosque", per_kind=3)
    places, news = found.groups
    assert (places.kind, places.count, news.kind, news.count) == ("places", 5, "news", 3)
    assert [hit.title for hit in places.hits] == ["Kiosque à musique", "Aire de jeux", "Jardin des plantes"]
    assert found.total == 8


@postgres
def test_a_search_is_two_queries_when_titles_suffice(rouen_items, rouen, django_assert_num_queries):
    with django_assert_num_queries(2):  # the counts, the best title matches
        found = searchindex.search(rouen, "piscine")
    assert [group.count for group in found.groups] == [1, 1]


@postgres
def test_title_matches_come_first_and_text_matches_complete_a_kind(rouen, django_assert_num_queries):
    for name in ("Lavoir du Robec", "Lavoir Saint-Nicaise"):
        PlaceFactory(city=rouen, name=name, kind=PlaceKind.MUSEUM)
    for i, extra in enumerate(("", " lavoir lavoir", "", "", "")):
        PlaceFactory(city=rouen, name=f"Fontaine {i}", kind=PlaceKind.DRINKING_WATER,
                     description_fr=f"Près de l'ancien lavoir{extra}.")
    ArticleFactory(city=rouen, title_fr="Les lavoirs restaurés", publish_at=NOW - dt.timedelta(days=1))
    with django_assert_num_queries(3):  # the counts, the best title matches, the text matches of places
        found = searchindex.search(rouen, "lavoirs", per_kind=4)
    places, news = found.groups
    assert (places.count, news.count) == (7, 1)
    assert {hit.title for hit in places.hits[:2]} == {"Lavoir du Robec", "Lavoir Saint-Nicaise"}
    # then the text-only matches, by ts_rank: the description with the word three times first
    assert places.hits[2].title == "Fontaine 1" and len(places.hits) == 4
    assert [hit.title for hit in news.hits] == ["Les lavoirs restaurés"]


def test_what_is_not_public_is_never_found(rouen, aix):
    ArticleFactory(city=rouen, slug="brouillon", title_fr="Fontaine brouillon", is_published=False,
                   publish_at=NOW - dt.timedelta(days=1))
    ArticleFactory(city=rouen, slug="programme", title_fr="Fontaine programmée", publish_at=NOW + dt.timedelta(days=3))
    ArticleFactory(city=rouen, slug="expire", title_fr="Fontaine expirée", publish_at=NOW - dt.timedelta(days=9),
                   expires_at=NOW - dt.timedelta(days=1))
    EventFactory(city=rouen, title_fr="Fontaine cachée", is_published=False,
                 starts_at=NOW + dt.timedelta(days=1), ends_at=NOW + dt.timedelta(days=1, hours=1))
    EventFactory(city=rouen, title_fr="Fontaine passée",
                 starts_at=NOW - dt.timedelta(days=3), ends_at=NOW - dt.timedelta(days=3, hours=-1))
    PlaceFactory(city=rouen, name="Fontaine fermée", is_active=False, kind=PlaceKind.DRINKING_WATER)
    PlaceFactory(city=aix, name="Fontaine d'Aix", kind=PlaceKind.DRINKING_WATER)
    ProcessFactory(city=rouen, title="Fontaine non publiée", is_published=False)
    ProposalFactory(city=rouen, title="Fontaine masquée", is_hidden=True)
    ProposalFactory(city=rouen, title="Fontaine du processus caché",
                    process=ProcessFactory(city=rouen, is_published=False))
    ProposalFactory(city=rouen, title="Fontaine visible", body="Une fontaine place du Vieux-Marché.",
                    author=UserFactory(email="gaspard.zorglub@example.org"))
    found = searchindex.search(rouen, "fontaine")
    assert titles(found) == ["Fontaine visible"]
    assert searchindex.search(rouen, "zorglub").groups == []
    assert searchindex.search(rouen, "gaspard").groups == []
    assert "zorglub" not in " ".join(SearchEntry.objects.values_list("norm", flat=True))
    assert titles(searchindex.search(aix, "fontaine")) == ["Fontaine d'Aix"]


def test_a_save_or_a_delete_updates_the_index(rouen):
    place = PlaceFactory(city=rouen, name="Musée des Beaux-Arts", kind=PlaceKind.MUSEUM)
    assert titles(searchindex.search(rouen, "beaux arts")) == ["Musée des Beaux-Arts"]
    place.name = "Musée de la Céramique"
    place.save()
    assert searchindex.search(rouen, "beaux arts").groups == []
    assert titles(searchindex.search(rouen, "ceramique")) == ["Musée de la Céramique"]
    place.is_active = False
    place.save()
    assert searchindex.search(rouen, "ceramique").groups == []
    place.is_active = True
    place.save()
    place.delete()
    assert not SearchEntry.objects.filter(kind="places").exists()


def test_rebuild_command_indexes_what_bulk_writes_missed(rouen, capsys):
    CarParkFactory(city=rouen, name="Parking Vieux-Marché")
    SearchEntry.objects.all().delete()
    assert searchindex.search(rouen, "vieux marche").groups == []
    call_command("rebuild_search_index", "--city", "rouen")
    assert "1 item(s) indexed." in capsys.readouterr().out
    found = searchindex.search(rouen, "vieux marche")
    assert [(group.kind, titles(found)) for group in found.groups] == [("car-parks", ["Parking Vieux-Marché"])]


def test_every_declared_kind_is_registered():
    assert [kind.slug for kind in searchindex.list_kinds()][:8] == [
        "places", "events", "news", "sorting-guide", "processes", "proposals", "car-parks", "air-stations"]


def test_the_sorting_guide_is_found_by_a_synonym(rouen, aix):
    """"Which bin?" entries are in the one search, by name or synonym, and link to the guide's answer."""
    from citypocket.cityinfo.waste_models import SortingItem

    SortingItem.objects.create(city=rouen, name_fr="Bouteille en verre", name_en="Glass bottle",
                               synonyms_fr="bocal, pot de confiture", synonyms_en="jar", stream="glass",
                               advice_fr="Sans bouchon.", advice_en="Without its cap.")
    SortingItem.objects.create(city=aix, name_fr="Bocal d'Aix", stream="glass")
    found = searchindex.search(rouen, "confiture")
    group = next(g for g in found.groups if g.kind == "sorting-guide")
    assert [hit.title for hit in group.hits] == ["Bouteille en verre"]
    assert group.hits[0].url.startswith("/rouen/waste/guide/?q=")
    english = searchindex.search(rouen, "jar", language="en")
    assert [hit.title for hit in next(g for g in english.groups if g.kind == "sorting-guide").hits] == ["Glass bottle"]


# --- page and API ------------------------------------------------------------------------------


def test_search_page_groups_results_with_headings(client, rouen_items):
    response = client.get("/rouen/search/", {"q": "piscne"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html and 'role="status"' in html
    assert '<h2 id="results-places"' in html
    assert 'href="/rouen/places/piscine-ile-lacroix/"' in html


def test_search_page_without_a_query_shows_the_form(client, rouen):
    response = client.get("/rouen/search/")
    assert response.status_code == 200
    assert b'name="q"' in response.content and b"results-" not in response.content


def test_search_page_in_english(client, rouen_items):
    response = client.get("/rouen/search/", {"q": "bibliotheque"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Story time at the library" in response.content.decode()


def test_search_api(client, rouen_items):
    response = client.get("/api/v1/cities/rouen/search", {"q": "bibliotheque", "lang": "en"})
    assert response.status_code == 200
    data = response.json()
    assert data["query"] == "bibliotheque"
    assert [group["kind"] for group in data["groups"]] == ["places", "events"]
    item = data["groups"][1]["items"][0]
    assert (item["title"], item["url"]) == ("Story time at the library", "/rouen/agenda/heure-du-conte/")
    assert data["total"] == 2


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x" * 101}, {"q": "ok", "per_kind": 0}])
def test_search_api_bad_input_is_a_problem(client, rouen, params):
    response = client.get("/api/v1/cities/rouen/search", params)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")


def test_search_api_unknown_city(client, db):
    response = client.get("/api/v1/cities/atlantis/search", {"q": "piscine"})
    assert response.status_code == 404
