"""The back office's preview: a city's staff see a draft or scheduled article, or an unpublished event, as
the public page will show it, with a banner; nobody else does, and nothing keeps or indexes it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from citypocket.cities.models import Role
from citypocket.cityinfo.tests.factories import ArticleFactory, EventFactory
from testsupport import admin_form_data, login, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # an account per role


@pytest.fixture
def drafts(rouen):
    article = ArticleFactory(city=rouen, slug="budget", title_fr="Budget 2027 (brouillon)", title_en="2027 budget",
                             is_published=False)
    scheduled = ArticleFactory(city=rouen, slug="bientot", title_fr="Bientôt", publish_at=timezone.now()
                               + timedelta(days=3))
    event = EventFactory(city=rouen, slug="fete", title_fr="Fête secrète", is_published=False)
    return article, scheduled, event


def preview_url(obj) -> str:
    return reverse(f"admin:cityinfo_{obj._meta.model_name}_preview", args=[obj.pk])


def test_the_citys_editor_previews_a_draft_article_in_both_languages(rouen, drafts):
    article, scheduled, event = drafts
    editor = login(Client(), make_staff(rouen, Role.EDITOR))
    response = editor.get(preview_url(article))
    assert response.status_code == 200
    text = response.content.decode()
    assert "<h1>Budget 2027 (brouillon)</h1>" in text and 'class="ci-preview"' in text
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert "<h1>2027 budget</h1>" in editor.get(preview_url(article) + "?lang=en").content.decode()
    assert "<h1>Bientôt</h1>" in editor.get(preview_url(scheduled)).content.decode()
    assert "Fête secrète" in editor.get(preview_url(event)).content.decode()
    # The public pages still do not show them.
    for path in ("/rouen/news/budget/", "/rouen/news/bientot/", "/rouen/agenda/fete/"):
        assert Client().get(path).status_code == 404


def test_the_change_form_links_to_the_preview(rouen, drafts):
    article = drafts[0]
    editor = login(Client(), make_staff(rouen, Role.EDITOR))
    page = editor.get(reverse("admin:cityinfo_article_change", args=[article.pk])).content.decode()
    assert f'href="{preview_url(article)}?lang=fr"' in page and f'href="{preview_url(article)}?lang=en"' in page
    add = editor.get(reverse("admin:cityinfo_article_add")).content.decode()
    assert 'type="file" name="upload" accept="image/jpeg,image/png,image/webp"' in add
    assert "cover_alt_fr" in admin_form_data(editor.get(reverse("admin:cityinfo_article_add")))


@pytest.mark.parametrize("index", [0, 2])
def test_another_citys_staff_get_a_404_and_nothing_of_the_draft(rouen, aix, drafts, index):
    obj = drafts[index]
    for role in Role.values:
        stranger = login(Client(), make_staff(aix, role))
        response = stranger.get(preview_url(obj))
        assert response.status_code == 404, role
        assert "brouillon" not in response.content.decode() and "secrète" not in response.content.decode()


def test_a_visitor_or_a_citizen_is_sent_to_the_sign_in(rouen, drafts, citizen):
    article = drafts[0]
    for client in (Client(), login(Client(), citizen, mfa=False)):
        response = client.get(preview_url(article))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_moderator_of_the_city_without_the_editor_role_cannot_preview(rouen, drafts):
    moderator = login(Client(), make_staff(rouen, Role.MODERATOR))
    assert moderator.get(preview_url(drafts[0])).status_code in (302, 403, 404)
