"""The news in the API: what the pages show, nothing more (drafts, scheduled, expired, other cities are not)."""

import datetime as dt

from django.utils import timezone

from citypocket.cityinfo.tests.factories import ArticleFactory

NOW = timezone.now()


def test_news_lists_published_articles_newest_first(client, rouen, aix):
    ArticleFactory(city=rouen, slug="ancienne", title_fr="Ancienne", publish_at=NOW - dt.timedelta(days=5))
    ArticleFactory(city=rouen, slug="recente", title_fr="Récente", title_en="Recent",
                   publish_at=NOW - dt.timedelta(days=1), category="works")
    ArticleFactory(city=rouen, slug="brouillon", is_published=False, publish_at=NOW - dt.timedelta(days=1))
    ArticleFactory(city=rouen, slug="demain", publish_at=NOW + dt.timedelta(days=1))
    ArticleFactory(city=rouen, slug="expiree", publish_at=NOW - dt.timedelta(days=9),
                   expires_at=NOW - dt.timedelta(days=1))
    ArticleFactory(city=aix, slug="aix", publish_at=NOW - dt.timedelta(days=1))
    body = client.get("/api/v1/cities/rouen/news", {"lang": "en"}).json()
    assert body["count"] == 2
    assert [item["slug"] for item in body["items"]] == ["recente", "ancienne"]
    first = body["items"][0]
    assert first["title"] == "Recent" and first["category"] == "works"
    assert first["category_label"] == "Works and traffic"
    assert first["url"] == "/rouen/news/recente/"
    assert "body_html" not in first
    works = client.get("/api/v1/cities/rouen/news", {"category": "works"}).json()
    assert [item["slug"] for item in works["items"]] == ["recente"]


def test_news_article_has_its_sanitised_body(client, rouen):
    ArticleFactory(city=rouen, slug="travaux", body_fr='<p>Texte</p><script>alert(1)</script><a href="javascript:x">x</a>',
                   publish_at=NOW - dt.timedelta(days=1))
    body = client.get("/api/v1/cities/rouen/news/travaux").json()
    assert "<p>Texte</p>" in body["body_html"]
    assert "script" not in body["body_html"] and "javascript" not in body["body_html"]


def test_a_draft_or_another_citys_article_is_a_404_problem(client, rouen, aix):
    ArticleFactory(city=rouen, slug="brouillon", is_published=False, publish_at=NOW - dt.timedelta(days=1))
    ArticleFactory(city=aix, slug="aix", publish_at=NOW - dt.timedelta(days=1))
    for path in ("/api/v1/cities/rouen/news/brouillon", "/api/v1/cities/rouen/news/aix",
                 "/api/v1/cities/atlantis/news"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/problem+json")


def test_an_unknown_category_is_a_422_problem(client, rouen):
    response = client.get("/api/v1/cities/rouen/news", {"category": "gossip"})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
