"""City alerts: staff publish, a second staff member confirms a severe alert, subscribers get it by
web push (decrypted, in their language) and e-mail; the banner shows on the city's pages only; CAP 1.2
validates against the OASIS schema; updates and closing are told; the Atom feed links the CAP."""

import base64
import json
import time
import uuid
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from django.core import mail
from django.test import Client
from django.utils import timezone

from citypocket.audit.models import AuditEntry
from citypocket.cities.models import Role
from citypocket.core.problems import Conflict, InvalidValues, PermissionDenied
from citypocket.notifications import cityalerts, services
from citypocket.notifications.cap import ATOM_NS, CAP_NS, cap_xml
from citypocket.notifications.models import AlertSettings, AlertState, CityAlert, Severity, Theme
from testsupport import UserFactory, assert_problem, login, make_staff

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
CAP_SCHEMA = xmlschema.XMLSchema(FIXTURES / "CAP-v1.2.xsd")

FIRE = {
    "kind": "accident", "severity": Severity.SEVERE,
    "headline_fr": "Incendie industriel : restez chez vous", "headline_en": "Industrial fire: stay indoors",
    "description_fr": "Un incendie est en cours sur un site industriel de la rive gauche.",
    "description_en": "A fire is burning at an industrial site on the left bank.",
    "instruction_fr": "Restez à l'intérieur, fermez les fenêtres.", "instruction_en": "Stay indoors, close windows.",
}


def fire(**changes):
    now = timezone.now()
    return {**FIRE, "onset": now - timedelta(minutes=5), "expires": now + timedelta(hours=6), **changes}


@pytest.fixture
def officers(rouen):
    return make_staff(rouen, Role.SAFETY_OFFICER), make_staff(rouen, Role.SAFETY_OFFICER)


def subscribe_browser(push_service, language):
    browser = push_service.subscribe()
    response = Client().post("/api/v1/cities/rouen/notifications/push-subscriptions", content_type="application/json",
                             data=json.dumps({**browser, "language": language, "themes": ["city_alerts"]}))
    assert response.status_code == 201, response.content
    return browser["endpoint"].rsplit("/", 1)[-1], response.json()


def test_a_severe_alert_reaches_the_subscriber_after_the_second_confirmation(
        rouen, officers, vapid, push_service, django_capture_on_commit_callbacks):
    """The bar: published by a Rouen officer, confirmed by another, pushed decrypted in English within 60 s."""
    author, second = officers
    english, answer = subscribe_browser(push_service, "en")
    assert answer["settings_url"] == f"/rouen/notifications/device/{answer['token']}/"
    french, _answer = subscribe_browser(push_service, "fr")
    reader = UserFactory()
    services.subscribe_email(city=rouen, user=reader, language="fr")

    with django_capture_on_commit_callbacks(execute=True):
        alert = cityalerts.publish_alert(city=rouen, author=author, **fire())
    assert alert.state == AlertState.DRAFT
    assert push_service.received == [] and mail.outbox == []
    with pytest.raises(PermissionDenied):
        cityalerts.confirm_alert(alert=alert, user=author)  # not by its author
    assert Client().get("/rouen/").content.decode().count("Incendie industriel") == 0  # a draft is not shown

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        cityalerts.confirm_alert(alert=alert, user=second)
    [english_push] = push_service.messages_for(english)
    message = json.loads(english_push)
    assert message["title"] == "Industrial fire: stay indoors"
    assert "Stay indoors, close windows." in message["body"]
    assert message["severity"] == "Severe" and message["url"] == f"/rouen/alerts/{alert.identifier}/"
    assert json.loads(push_service.messages_for(french)[0])["title"] == "Incendie industriel : restez chez vous"
    assert max(at for _b, _p, at in push_service.received) - started < 60
    [email] = mail.outbox
    assert email.to == [reader.email] and email.subject == "Incendie industriel : restez chez vous"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert set(AuditEntry.objects.filter(city=rouen).values_list("event", flat=True)) >= {
        "alert.submitted", "alert.confirmed"}


def test_the_banner_shows_on_the_city_pages_only(rouen, aix, officers, django_capture_on_commit_callbacks):
    author, second = officers
    with django_capture_on_commit_callbacks(execute=True):
        alert = cityalerts.publish_alert(city=rouen, author=author, **fire())
        cityalerts.confirm_alert(alert=alert, user=second)
    for path in ("/rouen/", "/rouen/air/", "/rouen/alerts/", "/rouen/notifications/"):
        page = Client().get(path, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Incendie industriel : restez chez vous" in page, path
    assert "Industrial fire" in Client().get("/rouen/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for path in ("/aix-en-provence/", "/aix-en-provence/alerts/"):
        assert "Incendie industriel" not in Client().get(path).content.decode(), path
    detail = Client().get(f"/rouen/alerts/{alert.identifier}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Restez à l&#x27;intérieur, fermez les fenêtres." in detail
    assert Client().get(f"/aix-en-provence/alerts/{alert.identifier}/").status_code == 404


def test_an_area_limited_alert_says_where(rouen, officers):
    author, _second = officers
    cityalerts.publish_alert(city=rouen, author=author, **fire(
        severity=Severity.MODERATE, kind="road", headline_fr="Pont Boieldieu fermé", headline_en="Boieldieu bridge closed",
        area_name="Rive gauche", communes=["76540"]))
    page = Client().get("/rouen/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Pont Boieldieu fermé" in page and "Zone concernée : Rive gauche" in page


def test_the_city_may_turn_the_second_confirmation_off(rouen, officers, vapid, push_service,
                                                       django_capture_on_commit_callbacks):
    AlertSettings.objects.create(city=rouen, severe_needs_confirmation=False)
    browser, _answer = subscribe_browser(push_service, "fr")
    with django_capture_on_commit_callbacks(execute=True):
        alert = cityalerts.publish_alert(city=rouen, author=officers[0], **fire())
    assert alert.state == AlertState.PUBLISHED
    assert len(push_service.messages_for(browser)) == 1


def test_only_the_citys_safety_officers_and_admins_publish(rouen, aix):
    with pytest.raises(PermissionDenied):
        cityalerts.publish_alert(city=rouen, author=make_staff(rouen, Role.EDITOR), **fire())
    with pytest.raises(PermissionDenied):
        cityalerts.publish_alert(city=rouen, author=make_staff(aix, Role.SAFETY_OFFICER), **fire())
    alert = cityalerts.publish_alert(city=rouen, author=make_staff(rouen, Role.CITY_ADMIN),
                                     **fire(severity=Severity.MINOR))
    assert alert.state == AlertState.PUBLISHED
    with pytest.raises(InvalidValues):
        cityalerts.publish_alert(city=rouen, author=make_staff(rouen, Role.CITY_ADMIN),
                                 **fire(communes=["13001"]))  # an Aix commune


def test_an_update_tells_what_changed_and_closing_tells_it_is_over(
        rouen, officers, vapid, push_service, django_capture_on_commit_callbacks):
    author, second = officers
    browser, _answer = subscribe_browser(push_service, "en")
    with django_capture_on_commit_callbacks(execute=True):
        alert = cityalerts.publish_alert(city=rouen, author=author, **fire(severity=Severity.MODERATE))
        cityalerts.update_alert(alert=alert, user=second, change_note_fr="Le panache s'étend vers l'est.",
                                change_note_en="The plume is spreading east.", expires=alert.expires + timedelta(hours=2))
        cityalerts.close_alert(alert=alert, user=author)
    titles = [json.loads(m)["title"] for m in push_service.messages_for(browser)]
    assert titles == ["Industrial fire: stay indoors", "Alert updated: Industrial fire: stay indoors",
                      "Alert over: Industrial fire: stay indoors"]
    assert "The plume is spreading east." in json.loads(push_service.messages_for(browser)[1])["body"]
    with pytest.raises(Conflict):
        cityalerts.update_alert(alert=alert, user=second, change_note_fr="x", change_note_en="y")
    assert "Incendie industriel" not in Client().get("/rouen/").content.decode()


def test_cap_messages_validate_against_the_cap_1_2_schema(rouen, officers):
    """Alert, Update and Cancel messages are valid CAP 1.2 (OASIS schema), with one info per language."""
    assert CAP_SCHEMA.is_valid(str(FIXTURES / "cap-v1.2-example-amber-alert.xml"))  # the schema loads and accepts
    assert not CAP_SCHEMA.is_valid("<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>x</identifier>"
                                   "</alert>")  # …and refuses an incomplete message
    author, second = officers
    polygon = {"type": "Polygon", "coordinates": [[[1.06, 49.42], [1.12, 49.42], [1.12, 49.45], [1.06, 49.42]]]}
    alert = cityalerts.publish_alert(city=rouen, author=author, **fire(polygon=polygon, area_name="Rive gauche"))
    cityalerts.confirm_alert(alert=alert, user=second)
    response = Client().get(f"/api/v1/cities/rouen/alerts/{alert.identifier}/cap.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/cap+xml")
    CAP_SCHEMA.validate(response.content.decode())
    root = ET.fromstring(response.content)
    ns = {"cap": CAP_NS}
    assert root.findtext("cap:msgType", namespaces=ns) == "Alert"
    assert [i.findtext("cap:language", namespaces=ns) for i in root.findall("cap:info", ns)] == ["fr-FR", "en-GB"]
    assert root.find("cap:info/cap:area/cap:polygon", ns).text.startswith("49.42,1.06 ")
    assert root.findtext("cap:info/cap:severity", namespaces=ns) == "Severe"

    cityalerts.update_alert(alert=alert, user=second, change_note_fr="Fin prévue à 18 h.", change_note_en="Ends 6 pm.")
    update = ET.fromstring(cap_xml(CityAlert.objects.get(pk=alert.pk)))
    CAP_SCHEMA.validate(update)
    assert update.findtext("cap:msgType", namespaces=ns) == "Update"
    assert update.findtext("cap:references", namespaces=ns).split(",")[1].endswith("-v1")
    cityalerts.close_alert(alert=alert, user=author)
    cancel = Client().get(f"/api/v1/cities/rouen/alerts/{alert.identifier}/cap.xml").content
    CAP_SCHEMA.validate(cancel.decode())
    assert ET.fromstring(cancel).findtext("cap:msgType", namespaces=ns) == "Cancel"


def test_atom_feed_and_json_api(rouen, aix, officers):
    author, _second = officers
    alert = cityalerts.publish_alert(city=rouen, author=author, **fire(severity=Severity.MODERATE))
    draft = cityalerts.publish_alert(city=rouen, author=author, **fire())
    feed = Client().get("/api/v1/cities/rouen/alerts/feed.atom")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    entries = root.findall(f"{{{ATOM_NS}}}entry")
    assert [e.findtext(f"{{{ATOM_NS}}}id") for e in entries] == [f"urn:uuid:{alert.identifier}"]
    cap_link = next(link.get("href") for link in entries[0].findall(f"{{{ATOM_NS}}}link")
                    if link.get("type") == "application/cap+xml")
    CAP_SCHEMA.validate(Client().get(cap_link[cap_link.index("/api/"):]).content.decode())

    listed = Client().get("/api/v1/cities/rouen/alerts?lang=en").json()
    assert listed["count"] == 1 and listed["items"][0]["headline"] == "Industrial fire: stay indoors"
    assert listed["items"][0]["kind_label"] == "Industrial or technological accident"
    assert Client().get("/api/v1/cities/aix-en-provence/alerts").json()["count"] == 0
    assert_problem(Client().get(f"/api/v1/cities/rouen/alerts/{draft.identifier}"), 404)
    assert_problem(Client().get(f"/api/v1/cities/aix-en-provence/alerts/{alert.identifier}"), 404)
    assert_problem(Client().get("/api/v1/cities/rouen/alerts/not-a-uuid"), 422)


def test_staff_publish_and_confirm_in_the_back_office(rouen, officers, django_capture_on_commit_callbacks):
    author, second = officers
    for person in officers:
        person.is_staff = True
        person.save()
    onset = timezone.localtime(timezone.now(), rouen.zone)
    form = {"city": rouen.pk, "kind": "flood", "severity": "Severe", "headline_fr": "Crue de la Seine",
            "headline_en": "Seine flood", "instruction_fr": "Évitez les quais.", "instruction_en": "Keep off the quays.",
            "onset_0": onset.strftime("%Y-%m-%d"), "onset_1": onset.strftime("%H:%M:%S"),
            "expires_0": (onset + timedelta(days=1)).strftime("%Y-%m-%d"), "expires_1": "12:00:00",
            "communes": "76540", "polygon": ""}
    response = login(Client(), author).post("/admin/notifications/cityalert/add/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    alert = CityAlert.objects.get()
    assert (alert.state, alert.author, alert.communes) == (AlertState.DRAFT, author, ["76540"])
    with django_capture_on_commit_callbacks(execute=True):
        login(Client(), second).post("/admin/notifications/cityalert/",
                                     {"action": "confirm", "_selected_action": [alert.pk]})
    alert.refresh_from_db()
    assert alert.state == AlertState.PUBLISHED and alert.confirmation.user == second


def test_a_device_subscribes_to_themes_and_stops_by_token(rouen, vapid, push_service):
    browser = push_service.subscribe()
    answer = Client().post("/api/v1/cities/rouen/notifications/push-subscriptions", content_type="application/json",
                           data=json.dumps({**browser, "themes": ["city_alerts", "water"]})).json()
    assert answer["themes"] == [Theme.CITY_ALERTS, Theme.WATER]
    assert Client().delete(f"/api/v1/notifications/subscriptions/{answer['token']}").status_code == 204
    assert_problem(Client().delete(f"/api/v1/notifications/subscriptions/{uuid.uuid4()}"), 404)


def test_the_alerts_page_offers_push_on_this_device(rouen, vapid):
    key = Client().get("/api/v1/notifications/vapid-public-key").json()["public_key"]
    assert len(base64.urlsafe_b64decode(key + "==")) == 65
    page = Client().get("/rouen/alerts/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'data-subscribe-url="/api/v1/cities/rouen/notifications/push-subscriptions"' in page
    assert "M'alerter sur cet appareil" in page and "notifications/push.js" in page
