"""The staff desk of city alerts (/<city>/alerts/manage/) and its API (/api/v1/cities/<city>/staff/alerts):
who may use them, the two-person rule of severe alerts, updates and closing through both, problems on
bad input with nothing written, idempotent publishing, and the banner's device-side filter data."""

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from citypocket.audit.models import AuditEntry
from citypocket.cities.models import Role
from citypocket.notifications import cityalerts
from citypocket.notifications.models import AlertState, CityAlert, Notification, Severity
from testsupport import UserFactory, assert_problem, login, make_staff

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[1.08, 49.43], [1.10, 49.43], [1.10, 49.45], [1.08, 49.43]]]}


@pytest.fixture
def metropole(rouen):
    rouen.insee_codes = ["76540", "76451", "76681"]
    rouen.save(update_fields=["insee_codes"])
    return rouen


@pytest.fixture
def officers(rouen):
    return make_staff(rouen, Role.SAFETY_OFFICER), make_staff(rouen, Role.SAFETY_OFFICER)


def form_data(**changes) -> dict:
    data = {"kind": "accident", "severity": Severity.SEVERE, "headline_fr": "Incendie : restez chez vous",
            "headline_en": "Fire: stay indoors", "description_fr": "Un incendie rive gauche.",
            "description_en": "A fire on the left bank.", "instruction_fr": "Fermez les fenêtres.",
            "instruction_en": "Close the windows.", "area_name": "", "polygon": "",
            "onset": "2026-12-01T08:00", "expires": "2026-12-01T20:00"}
    data.update(changes)
    return data


def api_body(**changes) -> dict:
    now = timezone.now()
    body = {"kind": "flood", "severity": "Moderate", "headline_fr": "Crue de la Seine", "headline_en": "Seine flood",
            "instruction_fr": "Évitez les quais.", "instruction_en": "Keep off the quays.",
            "onset": now.isoformat(), "expires": (now + timedelta(hours=6)).isoformat()}
    body.update(changes)
    return body


def api(client, method, url, body=None, **headers):
    kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
    return getattr(client, method)(url, **kwargs, **headers)


# --- the page ------------------------------------------------------------------------------------


def test_only_the_city_publishers_with_a_second_factor_open_the_desk(rouen, aix, citizen, officers):
    url = "/rouen/alerts/manage/"
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for stranger in (citizen, make_staff(rouen, Role.EDITOR), make_staff(aix, Role.SAFETY_OFFICER),
                     make_staff(aix, Role.CITY_ADMIN)):
        response = login(Client(), stranger).get(url)
        assert response.status_code == 403, stranger
        assert "Incendie" not in response.content.decode()
    # A publisher signed in without the second factor is sent to give it.
    response = login(Client(), officers[0], mfa=False).get(url)
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    response = login(Client(), officers[0]).get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert login(Client(), make_staff(rouen, Role.CITY_ADMIN)).get(url).status_code == 200
    # Posting as a stranger writes nothing.
    login(Client(), make_staff(aix, Role.SAFETY_OFFICER)).post(url, form_data(severity=Severity.MINOR))
    assert not CityAlert.objects.exists()


def test_a_severe_alert_needs_a_second_publisher_on_the_page(rouen, officers, django_capture_on_commit_callbacks):
    author, colleague = officers
    page = login(Client(), author)
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post("/rouen/alerts/manage/", form_data(idempotency_key=str(uuid.uuid4())))
    alert = CityAlert.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rouen/alerts/manage/{alert.identifier}/"
    assert alert.state == AlertState.DRAFT and alert.author == author
    assert timezone.localtime(alert.onset, rouen.zone).hour == 8  # read in the city's time
    assert not Notification.objects.exists()
    desk = page.get("/rouen/alerts/manage/").content.decode()
    assert "Incendie : restez chez vous" in desk
    # The author cannot confirm their own severe alert: no button, and a post changes nothing.
    detail = page.get(response["Location"]).content.decode()
    assert 'value="confirm"' not in detail
    page.post(response["Location"], {"action": "confirm"})
    alert.refresh_from_db()
    assert alert.state == AlertState.DRAFT and not Notification.objects.exists()
    other = login(Client(), colleague)
    assert 'value="confirm"' in other.get(response["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = other.post(response["Location"], {"action": "confirm"})
    assert confirmed.status_code == 302
    alert.refresh_from_db()
    assert alert.state == AlertState.PUBLISHED and alert.confirmation.user == colleague
    assert Notification.objects.filter(key=f"alert:{alert.identifier}:v1").exists()
    events = set(AuditEntry.objects.filter(city=rouen).values_list("event", flat=True))
    assert {"alert.submitted", "alert.confirmed"} <= events


def test_the_same_post_twice_publishes_once(rouen, officers, django_capture_on_commit_callbacks):
    page = login(Client(), officers[0])
    key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        first = page.post("/rouen/alerts/manage/", form_data(severity=Severity.MINOR, idempotency_key=key))
        again = page.post("/rouen/alerts/manage/", form_data(severity=Severity.MINOR, idempotency_key=key))
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert CityAlert.objects.count() == 1 and Notification.objects.count() == 1


def test_a_bad_form_shows_its_errors_and_writes_nothing(metropole, officers):
    page = login(Client(), officers[0])
    response = page.post("/rouen/alerts/manage/", form_data(
        severity=Severity.MINOR, polygon='{"type": "Polygon", "coordinates": [[[1, 49], [1.1, 49], [1.1, 49.1]]]}',
        expires="2026-12-01T07:00", communes=["99999"]))
    assert response.status_code == 422
    text = response.content.decode()
    assert "error-summary" in text and "id_polygon" in text
    assert not CityAlert.objects.exists()
    # The communes are ticked by name, not typed.
    assert re.search(r'<input type="checkbox" name="communes" value="76451"', text)


def test_update_and_close_on_the_page_tell_subscribers(metropole, officers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        alert = cityalerts.publish_alert(city=metropole, author=officers[0], **_fields(severity=Severity.MODERATE))
    page = login(Client(), officers[1])
    url = f"/rouen/alerts/manage/{alert.identifier}/"
    update = {f"update-{name}": value for name, value in form_data(severity=Severity.MODERATE).items()}
    update.update({"action": "update", "update-communes": ["76451"], "update-polygon": json.dumps(SQUARE),
                   "update-change_note_fr": "", "update-change_note_en": ""})
    refused = page.post(url, update)
    assert refused.status_code == 422
    alert.refresh_from_db()
    assert alert.version == 1
    update.update({"update-change_note_fr": "Zone réduite à Grand-Quevilly.",
                   "update-change_note_en": "Area reduced to Grand-Quevilly."})
    with django_capture_on_commit_callbacks(execute=True):
        assert page.post(url, update).status_code == 302
    alert.refresh_from_db()
    assert alert.version == 2 and alert.communes == ["76451"] and alert.polygon == SQUARE
    sent = Notification.objects.get(key=f"alert:{alert.identifier}:v2")
    assert "Zone réduite" in sent.messages["fr"]["body"]
    with django_capture_on_commit_callbacks(execute=True):
        assert page.post(url, {"action": "close"}).status_code == 302
    alert.refresh_from_db()
    assert alert.state == AlertState.CLOSED
    assert Notification.objects.filter(key=f"alert:{alert.identifier}:closed").exists()
    assert 'value="update"' not in page.get(url).content.decode()


def test_another_citys_alert_is_not_found_on_the_desk(rouen, aix, officers):
    alert = cityalerts.publish_alert(city=rouen, author=officers[0], **_fields(severity=Severity.MINOR))
    aix_officer = make_staff(aix, Role.SAFETY_OFFICER)
    response = login(Client(), aix_officer).get(f"/aix-en-provence/alerts/manage/{alert.identifier}/")
    assert response.status_code == 404


# --- the API -------------------------------------------------------------------------------------


def _fields(**changes) -> dict:
    now = timezone.now()
    fields = {"kind": "flood", "severity": Severity.SEVERE, "headline_fr": "Crue", "headline_en": "Flood",
              "onset": now, "expires": now + timedelta(hours=4)}
    fields.update(changes)
    return fields


def test_the_api_refuses_who_may_not_publish(rouen, aix, citizen):
    url = "/api/v1/cities/rouen/staff/alerts"
    assert_problem(Client().get(url), 401)
    assert_problem(api(Client(), "post", url, api_body()), 401)
    for stranger in (citizen, make_staff(rouen, Role.EDITOR), make_staff(aix, Role.SAFETY_OFFICER)):
        assert_problem(login(Client(), stranger).get(url), 403)
        assert_problem(api(login(Client(), stranger), "post", url, api_body()), 403)
    officer = make_staff(rouen, Role.SAFETY_OFFICER)
    body = assert_problem(login(Client(), officer, mfa=False).get(url), 403)
    assert body["type"].endswith("second-factor-required")
    assert not CityAlert.objects.exists()


def test_the_two_person_rule_through_the_api(rouen, officers, django_capture_on_commit_callbacks):
    author, colleague = officers
    url = "/api/v1/cities/rouen/staff/alerts"
    response = api(login(Client(), author), "post", url, api_body(severity="Severe"))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["state"] == "draft" and created["needs_confirmation"] and created["written_by_you"]
    assert not Notification.objects.exists()
    confirm = f"{url}/{created['identifier']}/confirmation"
    assert_problem(api(login(Client(), author), "post", confirm), 403)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(login(Client(), colleague), "post", confirm)
    assert response.status_code == 200 and response.json()["state"] == "published"
    assert Notification.objects.filter(key=f"alert:{created['identifier']}:v1").count() == 1
    assert_problem(api(login(Client(), colleague), "post", confirm), 409)
    listed = login(Client(), author).get(url).json()
    assert [item["identifier"] for item in listed["items"]] == [created["identifier"]]
    assert listed["items"][0]["in_force"] is True


def test_update_and_close_through_the_api(rouen, officers, django_capture_on_commit_callbacks):
    alert = cityalerts.publish_alert(city=rouen, author=officers[0], **_fields(severity=Severity.MINOR))
    client = login(Client(), officers[1])
    url = f"/api/v1/cities/rouen/staff/alerts/{alert.identifier}"
    assert_problem(api(client, "patch", url, {"headline_fr": "Crue en baisse"}), 422)  # no "what changed"
    with django_capture_on_commit_callbacks(execute=True):
        response = api(client, "patch", url, {"headline_fr": "Crue en baisse", "headline_en": "Flood receding",
                                               "change_note_fr": "L'eau baisse.", "change_note_en": "Water is falling."})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2 and response.json()["headline_en"] == "Flood receding"
    assert "L'eau baisse." in Notification.objects.get(key=f"alert:{alert.identifier}:v2").messages["fr"]["body"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api(client, "post", f"{url}/closure")
    assert response.status_code == 200 and response.json()["state"] == "closed"
    assert Notification.objects.filter(key=f"alert:{alert.identifier}:closed").exists()
    assert_problem(api(client, "patch", url, {"change_note_fr": "x", "change_note_en": "x"}), 409)


@pytest.mark.parametrize("bad", [
    {"polygon": {"type": "Polygon", "coordinates": [[[1.0, 49.0], [1.1, 49.0], [1.1, 49.1]]]}},
    {"polygon": {"type": "Point", "coordinates": [1.0, 49.0]}},
    {"communes": ["13001"]},
    {"expires": "2026-01-01T00:00:00+01:00", "onset": "2026-01-02T00:00:00+01:00"},
    {"onset": "2026-01-02T00:00:00"},  # no offset
    {"kind": "volcano"},
    {"headline_en": ""},
])
def test_bad_input_is_a_problem_and_writes_nothing(rouen, officers, bad):
    response = api(login(Client(), officers[0]), "post", "/api/v1/cities/rouen/staff/alerts", api_body(**bad))
    body = assert_problem(response, 422)
    assert body["detail"] or body.get("errors")
    assert not CityAlert.objects.exists() and not Notification.objects.exists()
    assert not AuditEntry.objects.filter(event__startswith="alert.").exists()


def test_a_bad_update_changes_nothing(rouen, officers):
    alert = cityalerts.publish_alert(city=rouen, author=officers[0], **_fields(severity=Severity.MINOR))
    url = f"/api/v1/cities/rouen/staff/alerts/{alert.identifier}"
    notes = {"change_note_fr": "x", "change_note_en": "x"}
    response = api(login(Client(), officers[0]), "patch", url, {**notes, "communes": ["00000"]})
    assert_problem(response, 422)
    alert.refresh_from_db()
    assert alert.version == 1 and alert.communes == []
    assert not Notification.objects.filter(key__endswith=":v2").exists()


def test_publishing_through_the_api_is_idempotent_and_csrf_protected(rouen, officers):
    client = login(Client(), officers[0])
    key = str(uuid.uuid4())
    url = "/api/v1/cities/rouen/staff/alerts"
    first = api(client, "post", url, api_body(), HTTP_IDEMPOTENCY_KEY=key)
    again = api(client, "post", url, api_body(), HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["identifier"] == again.json()["identifier"] and again["Idempotent-Replayed"] == "true"
    assert CityAlert.objects.count() == 1
    strict = login(Client(enforce_csrf_checks=True), officers[0])
    body = assert_problem(api(strict, "post", url, api_body()), 403)
    assert "csrf" in body["type"]
    assert CityAlert.objects.count() == 1


def test_another_citys_alert_is_not_found_through_the_api(rouen, aix, officers):
    alert = cityalerts.publish_alert(city=rouen, author=officers[0], **_fields(severity=Severity.MINOR))
    aix_officer = login(Client(), make_staff(aix, Role.SAFETY_OFFICER))
    assert_problem(aix_officer.get(f"/api/v1/cities/aix-en-provence/staff/alerts/{alert.identifier}"), 404)
    assert_problem(api(aix_officer, "post", f"/api/v1/cities/aix-en-provence/staff/alerts/{alert.identifier}/closure"),
                   404)
    assert_problem(api(aix_officer, "post", f"/api/v1/cities/rouen/staff/alerts/{alert.identifier}/closure"), 403)
    alert.refresh_from_db()
    assert alert.state == AlertState.PUBLISHED


# --- the banner ------------------------------------------------------------------------------------


def test_the_banner_carries_each_alerts_communes_and_is_the_same_for_everyone(metropole, officers):
    cityalerts.publish_alert(city=metropole, author=officers[0], **_fields(
        severity=Severity.MODERATE, headline_fr="Route fermée", communes=["76451"], polygon=SQUARE))
    cityalerts.publish_alert(city=metropole, author=officers[0], **_fields(
        severity=Severity.MINOR, headline_fr="Canicule", communes=[]))
    anonymous = Client().get("/rouen/?lang=fr").content.decode()
    signed_in = login(Client(), UserFactory()).get("/rouen/?lang=fr").content.decode()
    banner = re.search(r'<section class="alert-banner-region".*?</section>', anonymous, re.S).group(0)
    assert banner == re.search(r'<section class="alert-banner-region".*?</section>', signed_in, re.S).group(0)
    assert 'data-city-communes="76540 76451 76681"' in banner
    assert re.search(r'data-communes="76451"><span[^>]*>[^<]*</span>'
                     r'<a href="[^"]+">Route fermée', banner)
    assert re.search(r'data-communes=""><span[^>]*>[^<]*</span><a href="[^"]+">Canicule', banner)
    assert "notifications/banner.js" in anonymous
