"""The footer's "Open API" link: a light page of the app that leads to the reference."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "title"), [("fr", "API ouverte"), ("en", "Open API")])
def test_the_api_page_is_light_and_leads_to_the_reference(client, rouen, language, title):
    """`/api/` is an app page in the visitor's language with links to the interactive docs and the OpenAPI document."""
    response = client.get("/api/", headers={"accept-language": language})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html and f"<h1>{title}</h1>" in html
    assert 'href="/api/v1/docs"' in html and 'href="/api/v1/openapi.json"' in html
    assert 'href="/api/v1/cities/rouen/car-parks"' in html
    assert len(response.content) < 20_000  # the interactive reference weighs 1.7 MB


def test_every_footer_leads_to_the_api_page_not_the_interactive_reference(client, rouen):
    """The footer of a city page links to `/api/`."""
    html = client.get("/rouen/").content.decode()
    assert '<a href="/api/">' in html
    assert 'href="/api/v1/docs"' not in html


def test_pages_outside_a_city_offer_help_now_in_the_city_chosen_last(client, rouen):
    """The API page shows the help button of the remembered city; without one there is none to show."""
    assert 'class="help-now"' not in client.get("/api/").content.decode()
    client.cookies["citypocket_city"] = "rouen"
    assert '<a class="help-now" href="/rouen/safety/help/">' in client.get("/api/").content.decode()
    client.cookies["citypocket_city"] = "nowhere"
    assert 'class="help-now"' not in client.get("/api/").content.decode()
