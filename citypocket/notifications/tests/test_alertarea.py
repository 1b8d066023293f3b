"""Where a drawn alert reaches, and corrections to a draft before its confirmation.

The communes a drawn area touches (an address inside, one within the margin of its edge, none: the
commune is left out; a commune without addresses is kept; an area that reaches no address is the whole
city), who is sent the alert then, what the banner and the CAP message carry; a draft corrected on the
desk and through the API, with the two-person rule after a correction."""

import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from citypocket.audit.models import AuditEntry
from citypocket.cities.models import Role
from citypocket.cityinfo.waste_models import Address
from citypocket.notifications import cap, cityalerts
from citypocket.notifications.models import AlertState, CityAlert, Delivery, Notification, Severity
from citypocket.notifications.tests.factories import SubscriptionFactory
from testsupport import assert_problem, login, make_staff

pytestmark = pytest.mark.django_db

ROUEN, QUEVILLY, SOTTEVILLE = "76540", "76451", "76681"
# Around the centre of Rouen: 1.08-1.10 E, 49.43-49.45 N (about 1.5 km by 2.2 km).
SQUARE = {"type": "Polygon", "coordinates": [[[1.08, 49.43], [1.10, 49.43], [1.10, 49.45], [1.08, 49.45],
                                              [1.08, 49.43]]]}
NOWHERE = {"type": "Polygon", "coordinates": [[[1.20, 49.50], [1.21, 49.50], [1.21, 49.51], [1.20, 49.50]]]}


def address(city, code: str, lat: float, lon: float) -> Address:
    return Address.objects.create(city=city, ban_id=f"{code}_{uuid.uuid4().hex[:8]}", street="Rue du Test",
                                  street_key="rue du test", postcode="76000", citycode=code, commune=code,
                                  lat=lat, lon=lon, search_text=" rue du test")


@pytest.fixture
def metropole(rouen):
    rouen.insee_codes = [ROUEN, QUEVILLY, SOTTEVILLE]
    rouen.save(update_fields=["insee_codes"])
    address(rouen, ROUEN, 49.44, 1.09)          # inside the square
    address(rouen, QUEVILLY, 49.40, 1.04)       # 4 km away: outside
    address(rouen, SOTTEVILLE, 49.41, 1.09)     # 2 km south of the square...
    return rouen


@pytest.fixture
def officers(rouen):
    return tuple(make_staff(rouen, Role.SAFETY_OFFICER) for _ in range(3))


def fields(**changes) -> dict:
    now = timezone.now()
    values = {"kind": "accident", "severity": Severity.MODERATE, "headline_fr": "Fumées", "headline_en": "Smoke",
              "onset": now, "expires": now + timedelta(hours=4)}
    values.update(changes)
    return values


# --- the rule --------------------------------------------------------------------------------------


def test_a_point_inside_near_or_away_from_the_drawn_area():
    assert cityalerts.in_area(SQUARE, 49.44, 1.09)
    assert cityalerts.in_area(SQUARE, 49.428, 1.09)      # about 220 m south of the edge: within the margin
    assert not cityalerts.in_area(SQUARE, 49.425, 1.09)  # about 550 m south
    assert not cityalerts.in_area(SQUARE, 49.44, 1.05)   # 2 km west
    holed = {"type": "Polygon", "coordinates": [SQUARE["coordinates"][0],
                                                [[1.085, 49.435], [1.095, 49.435], [1.095, 49.445],
                                                 [1.085, 49.445], [1.085, 49.435]]]}
    assert not cityalerts.in_area(holed, 49.44, 1.09, margin_m=0)  # in the hole, far from its edges
    assert cityalerts.in_area(holed, 49.432, 1.09, margin_m=0)


def test_the_communes_a_drawn_area_touches(metropole):
    # Inside: Rouen; outside: Grand-Quevilly and Sotteville (its only address is 2 km away).
    assert cityalerts.polygon_communes(metropole, SQUARE) == [ROUEN]
    # Touching: an address of Sotteville just beyond the edge (about 220 m) brings it in.
    address(metropole, SOTTEVILLE, 49.428, 1.09)
    assert cityalerts.polygon_communes(metropole, SQUARE) == [ROUEN, SOTTEVILLE]
    # A commune whose addresses were never loaded may be anywhere: it is kept.
    Address.objects.filter(citycode=QUEVILLY).delete()
    assert cityalerts.polygon_communes(metropole, SQUARE) == [ROUEN, QUEVILLY, SOTTEVILLE]
    # An area that reaches no known address at all: the whole city.
    assert cityalerts.polygon_communes(metropole, NOWHERE) == []


def test_the_alert_reaches_the_communes_ticked_and_those_drawn(metropole, officers):
    drawn = cityalerts.publish_alert(city=metropole, author=officers[0], **fields(polygon=SQUARE))
    assert cityalerts.area_communes(drawn) == [ROUEN]
    both = cityalerts.publish_alert(city=metropole, author=officers[0],
                                    **fields(polygon=SQUARE, communes=[QUEVILLY], headline_fr="Deux"))
    assert cityalerts.area_communes(both) == [ROUEN, QUEVILLY]
    lost = cityalerts.publish_alert(city=metropole, author=officers[0], **fields(polygon=NOWHERE))
    assert cityalerts.area_communes(lost) == []  # placed nowhere known: everyone is told
    ticked = cityalerts.publish_alert(city=metropole, author=officers[0], **fields(communes=[SOTTEVILLE]))
    assert cityalerts.area_communes(ticked) == [SOTTEVILLE]


def test_a_drawn_alert_is_sent_to_the_subscribers_of_the_communes_it_touches(
        metropole, officers, django_capture_on_commit_callbacks):
    here = SubscriptionFactory(city=metropole, communes=[ROUEN])
    everywhere = SubscriptionFactory(city=metropole, communes=[])
    two = SubscriptionFactory(city=metropole, webpush=True, communes=[QUEVILLY, ROUEN])
    elsewhere = SubscriptionFactory(city=metropole, communes=[QUEVILLY])
    away = SubscriptionFactory(city=metropole, webpush=True, communes=[SOTTEVILLE])
    with django_capture_on_commit_callbacks(execute=True):
        alert = cityalerts.publish_alert(city=metropole, author=officers[0], **fields(polygon=SQUARE))
    sent = Notification.objects.get(key=f"alert:{alert.identifier}:v1")
    assert sent.communes == [ROUEN]
    got = set(Delivery.objects.filter(notification=sent).values_list("subscription_id", flat=True))
    assert got == {here.pk, everywhere.pk, two.pk}
    assert {elsewhere.pk, away.pk}.isdisjoint(got)


def test_the_banner_and_the_cap_message_carry_the_drawn_area_and_its_communes(metropole, officers):
    alert = cityalerts.publish_alert(city=metropole, author=officers[0], **fields(polygon=SQUARE))
    page = Client().get("/rouen/?lang=en").content.decode()
    rings = json.dumps(SQUARE["coordinates"], separators=(",", ":"))
    assert f'data-communes="{ROUEN}" data-polygon="{rings}"' in page
    cityalerts.publish_alert(city=metropole, author=officers[0],
                             **fields(polygon=SQUARE, communes=[QUEVILLY], headline_fr="Cochée aussi"))
    page = Client().get("/rouen/?lang=fr").content.decode()
    assert f'data-communes="{ROUEN} {QUEVILLY}"><span' in page  # a ticked commune is reached anywhere in it
    xml = cap.cap_xml(alert).decode()
    assert f"<value>{ROUEN}</value>" in xml and f"<value>{QUEVILLY}</value>" not in xml
    body = Client().get(f"/api/v1/cities/rouen/alerts/{alert.identifier}").json()
    assert body["area_communes"] == [ROUEN] and body["communes"] == []


# --- correcting a draft ------------------------------------------------------------------------------


def form_data(prefix: str = "edit", **changes) -> dict:
    data = {"kind": "accident", "severity": Severity.SEVERE, "headline_fr": "Incendie : restez chez vous",
            "headline_en": "Fire: stay indoors", "description_fr": "", "description_en": "",
            "instruction_fr": "Fermez les fenêtres.", "instruction_en": "Close the windows.", "area_name": "",
            "polygon": "", "onset": "2026-12-01T08:00", "expires": "2026-12-01T20:00"}
    data.update(changes)
    return {"action": "edit", **{f"{prefix}-{name}": value for name, value in data.items()}}


def test_a_draft_is_corrected_on_the_desk_and_confirmed_by_a_third_person(
        rouen, officers, django_capture_on_commit_callbacks):
    author, corrector, third = officers
    draft = cityalerts.publish_alert(city=rouen, author=author, **fields(severity=Severity.SEVERE))
    url = f"/rouen/alerts/manage/{draft.identifier}/"
    page = login(Client(), corrector).get(url).content.decode()
    assert 'value="edit"' in page and 'name="edit-headline_fr"' in page and 'value="Fumées"' in page  # prefilled
    refused = login(Client(), corrector).post(url, form_data(expires="2026-12-01T07:00"))
    assert refused.status_code == 422 and "error-summary" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.headline_fr == "Fumées"
    saved = login(Client(), corrector).post(url, form_data(polygon=json.dumps(SQUARE)))
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.state == AlertState.DRAFT and draft.headline_en == "Fire: stay indoors" and draft.polygon == SQUARE
    assert draft.author == author  # still its author
    assert not Notification.objects.exists()
    assert AuditEntry.objects.filter(event="alert.edited", actor=corrector).count() == 1
    # Neither the author nor the corrector may confirm now.
    for person in (author, corrector):
        client = login(Client(), person)
        assert 'value="confirm"' not in client.get(url).content.decode()
        client.post(url, {"action": "confirm"})
        draft.refresh_from_db()
        assert draft.state == AlertState.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        assert login(Client(), third).post(url, {"action": "confirm"}).status_code == 302
    draft.refresh_from_db()
    assert draft.state == AlertState.PUBLISHED and draft.confirmation.user == third
    assert Notification.objects.filter(key=f"alert:{draft.identifier}:v1").count() == 1
    assert 'value="edit"' not in login(Client(), third).get(url).content.decode()  # no more a draft


def test_the_author_corrects_and_the_colleague_who_changed_it_before_confirms(rouen, officers):
    author, colleague, _third = officers
    draft = cityalerts.publish_alert(city=rouen, author=author, **fields(severity=Severity.SEVERE))
    cityalerts.edit_draft(alert=draft, user=colleague, headline_en="Thick smoke")
    with pytest.raises(cityalerts.PermissionDenied):
        cityalerts.confirm_alert(alert=draft, user=colleague)
    cityalerts.edit_draft(alert=draft, user=author, headline_fr="Fumées épaisses")
    assert not cityalerts.may_confirm(draft, author) and cityalerts.may_confirm(draft, colleague)
    cityalerts.confirm_alert(alert=draft, user=colleague)
    assert draft.state == AlertState.PUBLISHED


def test_a_confirmation_of_a_draft_changed_since_it_was_read_is_refused(rouen, officers):
    author, corrector, third = officers
    draft = cityalerts.publish_alert(city=rouen, author=author, **fields(severity=Severity.SEVERE))
    url = f"/rouen/alerts/manage/{draft.identifier}/"
    seen = login(Client(), third).get(url).content.decode()
    assert f'name="seen" value="{draft.updated_at.isoformat()}"' in seen
    cityalerts.edit_draft(alert=draft, user=corrector, headline_fr="Autre chose")
    stale = seen.split('name="seen" value="', 1)[1].split('"', 1)[0]
    response = login(Client(), third).post(url, {"action": "confirm", "seen": stale}, follow=True)
    draft.refresh_from_db()
    assert draft.state == AlertState.DRAFT and "read it again" in response.content.decode()


def test_a_correction_to_a_lower_severity_publishes_at_once(rouen, officers, django_capture_on_commit_callbacks):
    draft = cityalerts.publish_alert(city=rouen, author=officers[0], **fields(severity=Severity.SEVERE))
    url = f"/rouen/alerts/manage/{draft.identifier}/"
    with django_capture_on_commit_callbacks(execute=True):
        assert login(Client(), officers[0]).post(url, form_data(severity=Severity.MODERATE)).status_code == 302
    draft.refresh_from_db()
    assert draft.state == AlertState.PUBLISHED
    assert Notification.objects.filter(key=f"alert:{draft.identifier}:v1").exists()


def test_a_draft_is_corrected_through_the_api(rouen, officers, django_capture_on_commit_callbacks):
    author, corrector, third = officers
    draft = cityalerts.publish_alert(city=rouen, author=author, **fields(severity=Severity.SEVERE))
    url = f"/api/v1/cities/rouen/staff/alerts/{draft.identifier}"
    client = login(Client(), corrector)
    assert_problem(client.patch(url, json.dumps({"expires": "2020-01-01T00:00:00+00:00"}),
                                content_type="application/json"), 422)
    response = client.patch(url, json.dumps({"headline_en": "Thick smoke", "polygon": SQUARE}),
                            content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "draft" and body["headline_en"] == "Thick smoke" and body["version"] == 1
    assert body["may_confirm"] is False and body["written_by_you"] is False
    assert not Notification.objects.exists()
    assert AuditEntry.objects.filter(event="alert.edited", actor=corrector).exists()
    confirm = f"{url}/confirmation"
    for person in (author, corrector):
        assert_problem(login(Client(), person).post(confirm), 403)
    assert login(Client(), third).get(url).json()["may_confirm"] is True
    with django_capture_on_commit_callbacks(execute=True):
        assert login(Client(), third).post(confirm).status_code == 200
    # Published: a correction without "what changed" is refused now, and a closed alert is a conflict.
    assert_problem(client.patch(url, json.dumps({"headline_en": "x"}), content_type="application/json"), 422)
    login(Client(), third).post(f"{url}/closure")
    assert_problem(client.patch(url, json.dumps({"headline_en": "x"}), content_type="application/json"), 409)
    with pytest.raises(cityalerts.Conflict):
        cityalerts.edit_draft(alert=CityAlert.objects.get(pk=draft.pk), user=author, headline_en="x")
