"""Episode alerts: e-mail and web push (VAPID, aes128gcm) subscribers get one alert per episode and day,
through the notification centre (theme "air")."""

import base64
import json
import os
import threading
from datetime import UTC, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from citypocket.air.demo import ensure_demo_stations
from citypocket.air.models import AirAlert
from citypocket.air.official import import_official_indices
from citypocket.air.services import on_readings_ingested
from citypocket.air.tests.factories import run_air_worker
from citypocket.air.tests.test_official import arcgis_payload, shifted
from citypocket.notifications.models import Channel, Delivery, Subscription
from citypocket.notifications.tests.factories import SubscriptionFactory
from citypocket.sensors.ingest import ingest_observations
from citypocket.sensors.readings import Parsed, Reading
from testsupport import UserFactory, assert_problem, local_moment, login, pin_now

pytestmark = pytest.mark.django_db


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def ingest_poor_day(city, *, pm10=60.0, hours=24, minutes=0):
    top = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(minutes=minutes)
    readings = [Reading(sensor="FR25036", property="pm10", time=top - timedelta(hours=h), value=pm10, unit="ug/m3")
                for h in range(hours)]
    ingest_observations(city=city, batch=Parsed.from_readings(readings), source="test")


class PushService:
    """A local push service: records what it receives and answers 201 like a real one."""

    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                received.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                 "body": self.rfile.read(length)})
                self.send_response(201)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/push/browser-1"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def push_service():
    service = PushService()
    yield service
    service.close()


def test_email_subscriber_gets_one_alert_per_episode_and_day(
    rouen, citizen, django_capture_on_commit_callbacks, monkeypatch
):
    """A signed-in citizen subscribes on the page; a poor day sends one e-mail, more poor data sends none."""
    # The readings must fall in one local day: the scenario runs yesterday at 20:15 local time.
    pin_now(monkeypatch, local_moment(rouen.timezone, hour=20, minute=15))
    ensure_demo_stations()
    client = login(Client(), citizen, mfa=False)
    response = client.post("/rouen/air/alerts/email/", {"action": "start"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    subscription = Subscription.objects.get(city=rouen, user=citizen)
    assert subscription.channel == Channel.EMAIL and subscription.is_active

    ingest_poor_day(rouen)
    with django_capture_on_commit_callbacks(execute=True):
        run_air_worker()
    assert Client().get("/api/v1/cities/rouen/air/now").json()["atmo"]["level"] == 4
    ingest_poor_day(rouen, pm10=150.0, minutes=30)  # hourly means (60 + 150) / 2 = 105 -> Très mauvais
    with django_capture_on_commit_callbacks(execute=True):
        on_readings_ingested(city=rouen)
        assert Client().get("/api/v1/cities/rouen/air/now").json()["atmo"]["level"] == 5

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [citizen.email]
    assert mail.outbox[0].subject == "Épisode de pollution de l'air à Rouen"
    assert "Mauvais" in mail.outbox[0].body
    assert AirAlert.objects.filter(city=rouen).count() == 1
    assert Delivery.objects.get().status == "sent"


def test_each_subscriber_gets_the_alert_in_their_own_language(rouen, django_capture_on_commit_callbacks):
    """In one delivery run an English subscriber gets English and a French one French, whatever the worker speaks."""
    english, french = UserFactory(), UserFactory()
    for person, language in ((english, "en"), (french, "fr")):
        response = login(Client(), person, mfa=False).post("/rouen/air/alerts/email/", {"action": "start"},
                                                            HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 302
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        import_official_indices(city=rouen, payload=shifted(arcgis_payload(), to=rouen.local_today()))
    mails = {message.to[0]: message for message in mail.outbox}
    assert mails[english.email].subject == "Air pollution forecast in Rouen"
    assert "Poor" in mails[english.email].body and "To stop these notifications" in mails[english.email].body
    assert mails[french.email].subject == "Prévision de pollution de l'air à Rouen"
    assert "Mauvais" in mails[french.email].body and "désabonnez-vous" in mails[french.email].body
    assert mails[french.email].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_anonymous_email_subscription_goes_to_sign_in(rouen):
    """Without an account the page form leads to the sign-in page; nothing is stored."""
    response = Client().post("/rouen/air/alerts/email/", {"action": "start"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Subscription.objects.exists()


def test_email_unsubscribe_from_the_page(rouen, citizen):
    """'Stop e-mail alerts' deactivates the subscription."""
    client = login(Client(), citizen, mfa=False)
    client.post("/rouen/air/alerts/email/", {"action": "start"})
    client.post("/rouen/air/alerts/email/", {"action": "stop"})
    assert "air" not in Subscription.objects.get(user=citizen).themes


def test_web_push_alert_reaches_a_local_push_service_and_decrypts(
    rouen, vapid, push_service, django_capture_on_commit_callbacks
):
    """End to end: subscribe by API, the official feed forecasts Mauvais, the push arrives encrypted and signed."""
    browser_key = ec.generate_private_key(ec.SECP256R1())
    auth_secret = os.urandom(16)
    p256dh = b64(browser_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))
    response = Client().post(
        "/api/v1/cities/rouen/air/alerts/push-subscriptions",
        data=json.dumps({"endpoint": push_service.url, "keys": {"p256dh": p256dh, "auth": b64(auth_secret)},
                         "language": "en"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    token = response.json()["token"]
    assert Subscription.objects.get(token=token).channel == Channel.WEBPUSH

    today = rouen.local_today()
    with django_capture_on_commit_callbacks(execute=True):
        import_official_indices(city=rouen, payload=shifted(arcgis_payload(), to=today))

    assert len(push_service.received) == 1
    request = push_service.received[0]
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert request["headers"]["authorization"].startswith("vapid t=")
    plain = http_ece.decrypt(request["body"], private_key=browser_key, auth_secret=auth_secret, version="aes128gcm")
    message = json.loads(plain)
    assert message["title"] == "Air pollution forecast in Rouen"
    assert message["level"] == 4 and message["label"] == "Poor"
    assert message["date"] == (today + timedelta(days=1)).isoformat()
    assert message["url"] == "/rouen/air/"
    alert = AirAlert.objects.get(city=rouen)
    assert alert.forecast is True
    assert Delivery.objects.get(notification__key=f"air:{alert.date.isoformat()}").status == "sent"

    # The same feed again: same episode, same day, no second push.
    with django_capture_on_commit_callbacks(execute=True):
        import_official_indices(city=rouen, payload=shifted(arcgis_payload(), to=today))
    assert len(push_service.received) == 1


def test_vapid_public_key_is_published(vapid):
    """Browsers get the application server key (65-byte uncompressed point, base64url)."""
    key = Client().get("/api/v1/air/alerts/vapid-public-key").json()["public_key"]
    assert len(base64.urlsafe_b64decode(key + "==")) == 65


@pytest.mark.parametrize(
    "endpoint",
    ["http://push.example.org/x", "https://127.0.0.1/x", "https://10.0.0.5/x", "https://localhost/x",
     "https://[::1/x", "https://push.example.org]/x", "ftp://push.example.org/x"],
)
def test_push_endpoints_must_be_https_on_a_public_host(rouen, endpoint):
    """Plain http, loopback and private addresses are refused (the server must not post inside the network),
    and so is what is not a URL at all (an unclosed IPv6 literal was a 500)."""
    response = Client().post(
        "/api/v1/cities/rouen/air/alerts/push-subscriptions",
        data=json.dumps({"endpoint": endpoint, "keys": {"p256dh": "x", "auth": "y"}}),
        content_type="application/json",
    )
    assert_problem(response, 422)
    assert not Subscription.objects.exists()


def test_unsubscribe_by_token(rouen):
    """DELETE with the secret token stops the alerts; an unknown token is a 404."""
    response = Client().post(
        "/api/v1/cities/rouen/air/alerts/push-subscriptions",
        data=json.dumps({"endpoint": "https://push.example.org/abc", "keys": {"p256dh": "k", "auth": "a"}}),
        content_type="application/json",
    )
    token = response.json()["token"]
    assert Client().delete(f"/api/v1/air/alerts/subscriptions/{token}").status_code == 204
    assert "air" not in Subscription.objects.get(token=token).themes
    assert_problem(Client().delete("/api/v1/air/alerts/subscriptions/00000000-0000-4000-8000-000000000000"), 404)


def post_push_subscription(client, endpoint="https://push.example.org/abc", **headers):
    return client.post(
        "/api/v1/cities/rouen/air/alerts/push-subscriptions",
        data=json.dumps({"endpoint": endpoint, "keys": {"p256dh": "k", "auth": "a"}}),
        content_type="application/json", **headers,
    )


def test_push_subscription_made_signed_in_belongs_to_the_account(rouen, citizen):
    """Signed in, the browser's subscription is stored with its account; anonymously, with none."""
    client = login(Client(), citizen, mfa=False)
    assert post_push_subscription(client).status_code == 201
    assert Subscription.objects.get(endpoint="https://push.example.org/abc").user == citizen
    assert post_push_subscription(Client(), endpoint="https://push.example.org/anonymous").status_code == 201
    assert Subscription.objects.get(endpoint="https://push.example.org/anonymous").user is None


def test_signed_in_push_subscription_needs_the_csrf_token(rouen, citizen):
    """A session write without the CSRF token is a 403 problem and stores nothing; with it, a 201."""
    client = login(Client(enforce_csrf_checks=True), citizen, mfa=False)
    assert_problem(post_push_subscription(client), 403)
    assert not Subscription.objects.exists()
    page = client.get("/rouen/air/")
    token = page.context["csrf_token"]
    assert f'data-csrf="{token}"' in page.content.decode()
    assert post_push_subscription(client, HTTP_X_CSRFTOKEN=str(token)).status_code == 201
    assert Subscription.objects.get().user == citizen


def test_push_without_vapid_key_is_recorded_as_skipped(rouen, django_capture_on_commit_callbacks):
    """When web push is not configured, the delivery is kept as skipped rather than lost silently."""
    SubscriptionFactory(city=rouen, webpush=True)
    with django_capture_on_commit_callbacks(execute=True):
        import_official_indices(city=rouen, payload=shifted(arcgis_payload(), to=rouen.local_today()))
    assert Delivery.objects.get().status == "skipped"


def test_admin_lists_only_the_staff_citys_indices(rouen, aix):
    """A Rouen data publisher sees Rouen's daily indices in the admin, not Aix's."""
    from citypocket.cities.models import Role
    from testsupport import make_staff

    import_official_indices(city=rouen, payload=shifted(arcgis_payload(), to=rouen.local_today()))
    staff = make_staff(rouen, Role.DATA_PUBLISHER)
    staff.is_staff = True
    staff.save()
    client = login(Client(), staff)
    html = client.get("/admin/air/airindexdaily/").content.decode()
    assert "Rouen" in html
    other = make_staff(aix, Role.DATA_PUBLISHER)
    other.is_staff = True
    other.save()
    row = rouen.air_indices.first()
    assert login(Client(), other).get(f"/admin/air/airindexdaily/{row.pk}/change/").status_code in (302, 403, 404)
