"""The shell's parts that every request shows alike are rendered once per process and reused
(`{% keep %}`, core.templatetags.shell): each response still gets its own CSP nonce and CSRF token,
and the parts follow the language, the city, the current page, the signed-in state and the tiles."""

import re

import pytest
from django.template import Context, Template
from django.test import Client

from citypocket import urls
from citypocket.cities.models import Role
from citypocket.core.templatetags.shell import NONCE_STAND_IN
from citypocket.notifications import cityalerts
from citypocket.notifications.tests.test_banner_reuse import publish
from testsupport import UserFactory, login, make_staff

pytestmark = pytest.mark.django_db


def home(client=None, path="/rouen/", language="fr"):
    return (client or Client()).get(path, HTTP_ACCEPT_LANGUAGE=language)


def test_each_response_has_its_own_nonce_in_the_kept_parts(rouen):
    nonces = []
    for _ in range(2):
        response = home()
        html = response.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        assert set(re.findall(r'nonce="([^"]*)"', html)) == {nonce}  # the head's, the tiles', the banner's
        assert NONCE_STAND_IN not in html
        assert re.search(r'name="csrfmiddlewaretoken" value="[^"]+"', html)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_the_kept_parts_follow_the_language_and_the_city(rouen, aix):
    french, english = home().content.decode(), home(language="en").content.decode()
    assert "Changer de ville" in french and "Change city" not in french
    assert "Change city" in english and "Changer de ville" not in english
    other = home(path="/aix-en-provence/").content.decode()
    assert 'href="/aix-en-provence/air/"' in other and 'href="/rouen/air/"' not in other
    assert "Aix-en-Provence" in other and 'data-precache="/aix-en-provence/' in other


def test_the_menu_marks_the_page_shown(rouen):
    current = re.compile(r'<a href="([^"]+)" aria-current="page"')
    assert current.findall(home().content.decode()) == ["/rouen/"]
    assert current.findall(home(path="/rouen/air/").content.decode()) == ["/rouen/air/"]
    assert current.findall(home().content.decode()) == ["/rouen/"]


def test_a_renamed_city_shows_at_once(rouen):
    assert '<span class="brand-city">Rouen</span>' in home().content.decode()
    rouen.name = "Rouen-sur-Seine"
    rouen.save()
    html = home().content.decode()
    assert '<span class="brand-city">Rouen-sur-Seine</span>' in html and "<h1>Rouen-sur-Seine</h1>" in html


def test_the_footer_follows_the_signed_in_state(rouen):
    assert "/accounts/login/" in home().content.decode()
    signed_in = home(login(Client(), UserFactory(), mfa=False)).content.decode()
    assert "/accounts/logout/" in signed_in and "/accounts/login/" not in signed_in
    assert "/accounts/login/" in home().content.decode()


def test_a_live_tile_shows_a_change_on_the_next_home(rouen):
    """HOME_TILE_CACHE_SECONDS is 0 in tests: the tiles' list is kept only while its tiles are the same."""
    assert "Pont Boieldieu fermé" not in home().content.decode()
    officer = make_staff(rouen, Role.SAFETY_OFFICER)
    alert = publish(rouen, officer)
    tile = re.search(r'<li class="tile tile-alerts">.*?</li>', home().content.decode(), re.S).group(0)
    assert "Pont Boieldieu fermé" in tile
    cityalerts.close_alert(alert=alert, user=officer)
    tile = re.search(r'<li class="tile tile-alerts">.*?</li>', home().content.decode(), re.S).group(0)
    assert "Pont Boieldieu fermé" not in tile


def test_a_kept_part_is_rendered_once_per_value_named(settings):
    settings.DEBUG = False
    template = Template("{% load shell %}{% keep n %}{{ n }}:{{ m }}:{{ csp_nonce }}{% endkeep %}")
    assert template.render(Context({"n": 1, "m": "a", "csp_nonce": "x1"})) == "1:a:x1"
    assert template.render(Context({"n": 2, "m": "b", "csp_nonce": "x2"})) == "2:b:x2"
    # A value not named is the one of the first render: only named values may vary (the tag's contract).
    assert template.render(Context({"n": 1, "m": "c", "csp_nonce": "x3"})) == "1:a:x3"
    settings.DEBUG = True  # on a laptop, never kept
    assert template.render(Context({"n": 1, "m": "d", "csp_nonce": "x4"})) == "1:d:x4"


def test_no_app_answers_the_city_home_path():
    """urls.py puts the city home before the apps' patterns: no app may have a page at `/<city>/` itself."""
    city_patterns = [pattern for pattern in urls.urlpatterns if str(pattern.pattern) == "<slug:city>/"]
    assert city_patterns[0].name == "city_home"
    for mounted in city_patterns[1:]:
        assert all(str(inner.pattern) not in ("", "^$") for inner in mounted.url_patterns), mounted
