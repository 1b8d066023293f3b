"""Test helpers shared by every app's tests: factories, staff sign-in, problem and tenant checks.

Tenant isolation is checked the same way on every endpoint: `assert_tenant_isolated` replays a
request as staff (and as citizens) of *another* city and demands the answer a stranger gets — a
problem+json 404 that gives nothing away (a redirect or 403 in the admin) — and that the object is
unchanged. `admin_form_data` reads back what an admin form would post, to replay it altered.
"""

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import factory
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from citypocket.accounts.models import User
from citypocket.cities.demo import DEMO_CITIES
from citypocket.cities.models import City, Role
from citypocket.cities.services import grant_role
from citypocket.core.throttling import local_counts

PASSWORD = "correct horse battery staple"


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"ville-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    official_name = factory.LazyAttribute(lambda o: f"Ville de {o.name}")
    insee_codes = factory.LazyFunction(lambda: ["99999"])
    centre_lat = 45.0
    centre_lon = 4.0
    bbox_south = 44.9
    bbox_west = 3.9
    bbox_north = 45.1
    bbox_east = 4.1
    languages = factory.LazyFunction(lambda: ["fr", "en"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Marks the e-mail address verified (as after clicking the link), unless verified=False."""
        from allauth.account.models import EmailAddress

        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.update_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


def demo_city(slug: str) -> City:
    """One of the two demo cities (Rouen, Aix-en-Provence) with its real facts."""
    facts = next(f for f in DEMO_CITIES if f["slug"] == slug)
    city, _created = City.objects.update_or_create(slug=slug, defaults=facts)
    return city


def enrol_totp(user) -> Authenticator:
    """Gives `user` a TOTP authenticator, as if they had scanned the QR code."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    return TOTP.activate(user, generate_totp_secret()).instance


def make_staff(city: City, role: str = Role.EDITOR, *, user=None) -> User:
    user = user or UserFactory()
    grant_role(user=user, city=city, role=role)
    return user


def login(client: Client, user, *, mfa: bool = True) -> Client:
    """Signs `user` in; staff also pass the second factor (the session records an MFA sign-in)."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if mfa:
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            enrol_totp(user)
        # Record the sign-in methods exactly as allauth does after a password + TOTP login.
        from django.test import RequestFactory

        request = RequestFactory().get("/")
        request.session = client.session
        record_authentication(request, user, method="password", email=user.email)
        record_authentication(request, user, method="mfa", type="totp")
        request.session.save()
    return client


def assert_problem(response, status: int) -> dict:
    """Asserts an RFC 7807 answer with this status and returns its body."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = json.loads(response.content)
    assert body["status"] == status
    assert body["type"] and body["title"]
    return body


def assert_tenant_isolated(
    *,
    city: City,
    other_city: City,
    url: str,
    method: str = "get",
    data: dict | None = None,
    roles: Iterable[str] = tuple(Role.values),
    secrets: Iterable[str] = (),
    expected: tuple[int, ...] = (404,),
    check_unchanged=None,
    as_json: bool = True,
) -> None:
    """Replays a request on `city`'s object as every staff role of `other_city`.

    Each answer must be one of `expected` (a problem+json 404 by default: a stranger must not
    even learn that the object exists), must not contain any of `secrets`, and, if given,
    `check_unchanged()` must still hold afterwards.
    """
    assert city.pk != other_city.pk
    for role in roles:
        client = login(Client(), make_staff(other_city, role))
        send = getattr(client, method.lower())
        kwargs: dict = {}
        if data is not None:
            kwargs = {"content_type": "application/json", "data": json.dumps(data)} if as_json else {"data": data}
        response = send(url, **kwargs)
        assert response.status_code in expected, (role, response.status_code, response.content[:300])
        if response["Content-Type"].startswith("application/"):
            assert_problem(response, response.status_code)
        body = response.content.decode("utf-8", "replace")
        for secret in secrets:
            assert secret not in body, (role, secret)
        if check_unchanged is not None:
            check_unchanged()


class _AdminFormParser(HTMLParser):
    """Collects what a browser would post from the admin's object form (`<form id="…_form">`)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data: dict[str, list[str]] = {}
        self.in_form = False
        self.select: dict | None = None
        self.option: dict | None = None
        self.textarea: dict | None = None

    def _add(self, name, value):
        if name and "__prefix__" not in name:
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = (attrs.get("id") or "").endswith("_form")
        if not self.in_form or "disabled" in attrs:
            return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(attrs.get("name"), attrs.get("value") or ("on" if kind in ("checkbox", "radio") else ""))
        elif tag == "select":
            self.select = {"name": attrs.get("name"), "multiple": "multiple" in attrs, "options": [], "chosen": []}
        elif tag == "option" and self.select is not None:
            self.option = {"value": attrs.get("value"), "text": ""}
            self.select["options"].append(self.option)
            if "selected" in attrs:
                self.select["chosen"].append(self.option)
        elif tag == "textarea":
            self.textarea = {"name": attrs.get("name"), "text": ""}

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"] += data
        if self.textarea is not None:
            self.textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "option":
            self.option = None
        elif tag == "textarea" and self.textarea is not None:
            text = self.textarea["text"]
            self._add(self.textarea["name"], text[1:] if text.startswith("\n") else text)
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"] or ([] if self.select["multiple"] else self.select["options"][:1])
            for option in chosen:
                self._add(self.select["name"], option["value"] if option["value"] is not None else option["text"])
            self.select = None


def admin_form_data(response) -> dict[str, list[str]]:
    """The fields an admin add or change page would post back unchanged, as a browser sends them."""
    parser = _AdminFormParser()
    parser.feed(response.content.decode())
    return parser.data


def pin_now(monkeypatch, moment: datetime) -> datetime:
    """Stops `django.utils.timezone.now` at `moment` (aware) for one test and returns it in UTC.

    For tests that build "today", "the last hours" or "in an hour" from the clock: pinned, they
    cannot straddle a local midnight, a quarter-hour or a day of the month, whatever the hour the
    suite runs at.
    """
    from django.utils import timezone

    moment = moment.astimezone(UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def local_moment(tz: str, *, hour: int, minute: int = 0, days_ago: int = 1, day: int | None = None) -> datetime:
    """`hour:minute` local time in `tz`, `days_ago` days back (or on `day` of that month): in the past."""
    from zoneinfo import ZoneInfo

    local = datetime.now(ZoneInfo(tz)) - timedelta(days=days_ago)
    if day is not None:
        local = local.replace(day=day)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def cache_keys() -> list[str]:
    """The keys in the shared cache (the database cache's table when no Redis is configured), and those
    of the read limit, which counts in the process's memory without Redis (core.throttling)."""
    from django.conf import settings
    from django.db import connection

    table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {table}")
        return [row[0] for row in cursor.fetchall()] + list(local_counts._cache)


def database_url() -> str:
    """The URL of the test database, for another process (ingest, a second web worker, gunicorn)."""
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def rows_of(export: dict, key: str) -> list[dict]:
    """The rows of one model (`app_label.model`) in a "my data" export, whichever app declared it."""
    for section in export["sections"].values():
        if key in section["models"]:
            return section["models"][key]["rows"]
    raise KeyError(key)


def choose_language(page, code: str) -> None:
    """Presses the header's language button in a browser page, opening the phone's Menu first when the
    header is folded (at phone size the language switch is inside the Menu), and waits for the page."""
    toggle = page.get_by_role("button", name="Menu")
    if toggle.count() and toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    with page.expect_navigation():
        page.locator(f'button[name="language"][value="{code}"]').click()


def migrate_to(targets):
    """Migrates the test database to `targets` ([(app, migration)…]) and returns the apps of that state,
    for a test of a data migration: go back, write the old rows, go forward, check."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps
