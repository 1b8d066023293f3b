"""News: bodies sanitised with nh3, scheduled publication and expiry, the pages and the Atom feed."""

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from citypocket.cityinfo import selectors
from citypocket.cityinfo.articles import sanitise_html
from citypocket.cityinfo.tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_sanitise_keeps_structure_and_links_and_drops_what_runs():
    dirty = ('<h2 onclick="x()">Titre</h2><p>Voir <a href="https://rouen.fr" target="_blank">le site</a>'
             '<a href="javascript:alert(1)">piège</a></p><script>alert(1)</script><img src="x" onerror="y">'
             '<iframe src="https://evil.example"></iframe>')
    assert sanitise_html(dirty) == ('<h2>Titre</h2><p>Voir <a href="https://rouen.fr" rel="noopener noreferrer">'
                                    'le site</a><a rel="noopener noreferrer">piège</a></p>')


def test_a_cover_image_needs_its_text_alternative(rouen):
    article = ArticleFactory.build(city=rouen, cover_url="https://example.org/cover.jpg", cover_alt_fr="")
    with pytest.raises(ValidationError, match="cover_alt_fr"):
        article.full_clean()


@pytest.fixture
def articles(rouen, aix):
    now = timezone.now()
    shown = ArticleFactory(city=rouen, slug="marche-de-noel", title_fr="Marché de Noël", title_en="Christmas market",
                           body_fr='<p>Ouvert <script>alert(1)</script>tous les jours.</p>',
                           publish_at=now - timedelta(days=1))
    ArticleFactory(city=rouen, slug="demain", title_fr="Programmée pour demain", publish_at=now + timedelta(days=1))
    ArticleFactory(city=rouen, slug="expiree", title_fr="Expirée", publish_at=now - timedelta(days=9),
                   expires_at=now - timedelta(days=2))
    ArticleFactory(city=rouen, slug="brouillon", title_fr="Brouillon", is_published=False)
    ArticleFactory(city=aix, slug="aix", title_fr="Nouvelle d'Aix")
    return shown


def test_news_page_shows_only_what_is_published_now_in_this_city(client, articles):
    text = client.get("/rouen/news/").content.decode()
    assert "Marché de Noël" in text
    for hidden in ("Programmée pour demain", "Expirée", "Brouillon", "Nouvelle d&#x27;Aix"):
        assert hidden not in text


def test_article_page_in_english_with_a_sanitised_body(client, articles):
    text = client.get("/rouen/news/marche-de-noel/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Christmas market</h1>" in text and "<p>Text of the news.</p>" in text
    french = client.get("/rouen/news/marche-de-noel/").content.decode()
    assert "<p>Ouvert tous les jours.</p>" in french and "alert(1)" not in french


@pytest.mark.parametrize("slug", ["demain", "expiree", "brouillon", "aix", "nothing"])
def test_an_article_not_shown_now_or_of_another_city_is_a_404(client, articles, slug):
    assert client.get(f"/rouen/news/{slug}/").status_code == 404


def test_atom_feed_lists_the_published_articles_with_stable_ids(client, articles):
    response = client.get("/rouen/news/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == ["Marché de Noël"]
    assert entries[0].find(f"{ATOM}id").text == f"article-{articles.pk}@rouen.citypocket"
    assert entries[0].find(f"{ATOM}link").get("href") == "http://testserver/rouen/news/marche-de-noel/"
    assert client.get("/atlantis/news/feed/").status_code == 404


def test_scheduled_article_appears_once_its_time_has_come(client, rouen):
    ArticleFactory(city=rouen, slug="bientot", title_fr="Bientôt", publish_at=datetime(2026, 11, 1, tzinfo=UTC))
    assert not selectors.list_articles(city=rouen, moment=datetime(2026, 10, 31, 23, tzinfo=UTC)).exists()
    assert selectors.list_articles(city=rouen, moment=datetime(2026, 11, 1, 0, 1, tzinfo=UTC)).exists()


def test_city_home_news_tile_lists_the_latest_articles_in_the_page_language(client, articles):
    french = client.get("/rouen/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    tile = french.split('class="tile tile-news"', 1)[1].split("</li>\n", 1)[0]
    assert 'href="/rouen/news/marche-de-noel/">Marché de Noël</a>' in tile
    assert "Programmée pour demain" not in tile and "Brouillon" not in tile
    english = client.get("/rouen/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Christmas market</a>" in english
