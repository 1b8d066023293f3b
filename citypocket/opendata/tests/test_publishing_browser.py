"""The publishing flow in real Chromium at phone size (390x844): a data publisher of Aix uploads a file
with a schema error, reads the report naming the row and field, uploads the fixed file as a new
version, submits and publishes it; axe-core finds nothing on the upload and report pages."""

import base64
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
BLANK_PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def _problems(violations):
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def _sign_in(page, live_server, user):
    """Puts the test client's staff session (password + TOTP recorded) into the browser."""
    from django.test import Client

    from testsupport import login

    client = login(Client(), user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_upload_report_and_publish_at_phone_size(page, live_server, axe):
    from citypocket.cities.models import Role
    from citypocket.opendata.models import DatasetVersion
    from testsupport import demo_city, make_staff

    aix = demo_city("aix-en-provence")
    publisher = make_staff(aix, Role.DATA_PUBLISHER)
    _sign_in(page, live_server, publisher)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/admin/opendata/datasetversion/upload/")
    assert page.locator("h1").count() == 1
    assert _problems(axe(page)) == []
    page.select_option("#id_city", str(aix.pk))
    page.fill("#id_slug", "covoiturage")
    page.fill("#id_title_fr", "Lieux de covoiturage")
    page.fill("#id_description_fr", "Les aires de covoiturage de la ville.")
    page.select_option("#id_schema", "etalab/schema-lieux-covoiturage")
    page.set_input_files("#id_file", str(FIXTURES / "aix-covoiturage-erreur.csv"))
    with page.expect_navigation():
        page.click("input[type=submit]")

    assert "/report/" in page.url
    assert page.locator("#report-errors tbody tr").count() == 1
    assert page.locator("#report-errors tbody tr td").all_inner_texts()[:2] == ["2", "date_maj"]
    assert "Ligne 2, champ date_maj" in page.locator("#report-errors").inner_text()
    assert page.locator("button[value=submit]").count() == 0
    assert _problems(axe(page)) == []

    page.click("text=Déposer une nouvelle version de ce jeu de données")
    page.select_option("#id_schema", "etalab/schema-lieux-covoiturage")
    page.set_input_files("#id_file", str(FIXTURES / "aix-covoiturage.csv"))
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert "Le fichier respecte son schéma" in page.content()
    with page.expect_navigation():
        page.click("button[value=submit]")
    with page.expect_navigation():
        page.click("button[value=approve]")
    assert page.locator("#version-status").inner_text() == "Publié"
    assert _problems(axe(page)) == []
    assert list(DatasetVersion.objects.order_by("number").values_list("number", "status")) == [
        (1, "draft"), (2, "published")]

    # The dataset page draws a map of the first rows: no network here, so the tiles are a blank image.
    page.context.route("**/tile.openstreetmap.org/**",
                       lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG))
    page.goto(f"{live_server.url}/aix-en-provence/data/covoiturage/")
    assert page.locator("h1").inner_text() == "Lieux de covoiturage"
    assert page.errors == []
