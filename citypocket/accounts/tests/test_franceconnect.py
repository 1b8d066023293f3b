"""FranceConnect sign-in and sign-out, end to end against a real local OpenID Connect provider.

The provider is django-oauth-toolkit with OIDC on (tests/oidc_provider), run as its own server
process; CityPocket runs under `live_server`. An HTTP client plays the browser: it follows the
redirects, fills in the provider's sign-in and consent forms, and can tamper with what passes
through it, as an attacker in the middle of the browser's journey would.
"""

import json
import re
import secrets
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import jwt
import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from citypocket.accounts.franceconnect.views import SESSION_KEY
from citypocket.accounts.models import User
from citypocket.accounts.tests.oidc_provider.server import running_provider
from testsupport import PASSWORD, UserFactory, rows_of

CALLBACK_PATH = "/accounts/franceconnect/login/callback/"
LOGOUT_CALLBACK_PATH = "/accounts/franceconnect/logout/callback/"


# --- the provider and the settings ------------------------------------------------------------


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    with running_provider(
        tmp_path_factory.mktemp("oidc-provider"),
        redirect_uris=[live_server.url + CALLBACK_PATH],
        post_logout_redirect_uris=[live_server.url + LOGOUT_CALLBACK_PATH],
    ) as provider:
        yield provider


def franceconnect_app(provider, *, eidas_level="eidas1") -> dict:
    return {
        "name": "FranceConnect",
        "client_id": provider.client_id,
        "secret": provider.client_secret,
        "settings": {"server_url": provider.issuer, "eidas_level": eidas_level},
    }


@pytest.fixture
def franceconnect(settings, oidc_provider):
    settings.SOCIALACCOUNT_PROVIDERS = {"franceconnect": {"APPS": [franceconnect_app(oidc_provider)]}}
    return oidc_provider


# --- a browser made of an HTTP client ---------------------------------------------------------


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "id": attrs.get("id"), "fields": {}, "names": set()})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["names"].add(attrs["name"])
            if attrs.get("type") == "hidden":
                self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""


def find_form(html: str, *, action: str | None = None, form_id: str | None = None, field: str | None = None) -> dict:
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if ((action is None or action in form["action"]) and (form_id is None or form["id"] == form_id)
                and (field is None or field in form["names"])):
            return form
    raise AssertionError(f"no form (action={action}, id={form_id}) in:\n{html[:2000]}")


def confirm_form(html: str) -> dict:
    """allauth's "continue with FranceConnect" form: the page's form with a CSRF token that is not the
    header's language switch (which has one too)."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if "csrfmiddlewaretoken" in form["names"] and "setlang" not in form["action"] and "language" not in form["names"]:
            return form
    raise AssertionError(f"no confirmation form in:\n{html[:2000]}")


def query(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    params = {**query(url), **changes}
    params = {key: value for key, value in params.items() if value is not None}
    return urlunsplit(parts._replace(query=urlencode(params)))


class Browser:
    def __init__(self):
        self.http = httpx.Client(follow_redirects=False, timeout=30, headers={"accept-language": "en"})

    def get(self, url: str) -> httpx.Response:
        return self.http.get(url)

    def post(self, url: str, data: dict) -> httpx.Response:
        return self.http.post(url, data=data)

    def follow(self, response: httpx.Response) -> httpx.Response:
        while response.is_redirect:
            response = self.get(urljoin(str(response.url), response.headers["location"]))
        return response

    def submit(self, page: httpx.Response, form: dict, **fields) -> httpx.Response:
        return self.post(urljoin(str(page.url), form["action"] or str(page.url)), {**form["fields"], **fields})

    def cookie(self, name: str) -> str | None:
        return next((cookie.value for cookie in self.http.cookies.jar if cookie.name == name), None)

    def session(self) -> dict:
        key = self.cookie("sessionid")
        return SessionStore(session_key=key).load() if key else {}

    def close(self):
        self.http.close()


@pytest.fixture
def browser():
    instance = Browser()
    yield instance
    instance.close()


def start_sign_in(browser, base_url) -> str:
    """Clicks the button on the sign-in page; returns the provider authorisation URL it leads to."""
    page = browser.get(f"{base_url}/accounts/login/")
    assert page.status_code == 200
    response = browser.submit(page, find_form(page.text, action="/accounts/franceconnect/login/"))
    assert response.status_code == 302, response.text[:500]
    return response.headers["location"]


def authenticate_at_provider(browser, provider, authorize_url: str) -> str:
    """Signs in and consents at the provider; returns the callback URL it sends the browser to."""
    page = browser.follow(browser.get(authorize_url))
    assert urlsplit(str(page.url)).path == "/login/", page.text[:500]  # prompt=login: the provider asks
    consent = browser.follow(browser.submit(page, find_form(page.text, action="/login/"),
                                            username=provider.username, password=provider.password))
    form = find_form(consent.text, form_id="authorizationForm")
    redirect = browser.submit(consent, form, allow="Authorize")
    assert redirect.status_code == 302, redirect.text[:500]
    return redirect.headers["location"]


def signed_in_email(browser, base_url) -> str | None:
    response = browser.get(f"{base_url}/accounts/my-data/export.json")
    return rows_of(json.loads(response.content), "accounts.user")[0]["email"] if response.status_code == 200 else None


# --- off unless configured --------------------------------------------------------------------


@pytest.mark.django_db
def test_off_without_a_client_id(settings, client):
    """No button on the sign-in page, and the FranceConnect URLs answer 404."""
    settings.SOCIALACCOUNT_PROVIDERS = {"franceconnect": {"APPS": []}}
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert "FranceConnect" not in page.content.decode()
    for path in ("/accounts/franceconnect/login/", CALLBACK_PATH, LOGOUT_CALLBACK_PATH):
        assert client.get(path).status_code == 404
        assert client.post(path).status_code in (404, 405)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "button", "link"),
    [("fr", "Se connecter avec FranceConnect", "Qu\u2019est-ce que FranceConnect\u202f?"),
     ("en", "Sign in with FranceConnect", "What is FranceConnect?")],
)
def test_sign_in_page_shows_the_button(settings, language, button, link):
    """The button posts to CityPocket (CSRF token included); a link explains FranceConnect."""
    settings.SOCIALACCOUNT_PROVIDERS = {"franceconnect": {"APPS": [{"client_id": "x", "secret": "y",
                                                                    "settings": {"server_url": "https://fc.invalid"}}]}}
    html = Client(headers={"accept-language": language}).get("/accounts/login/?next=/rouen/").content.decode()
    form = find_form(html, action="/accounts/franceconnect/login/")
    assert "csrfmiddlewaretoken" in form["fields"]
    assert query(form["action"].replace("&amp;", "&")) == {"process": "login", "next": "/rouen/"}
    assert button in html
    assert link in html and 'href="https://franceconnect.gouv.fr/"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "style=" not in html  # nothing inline for the CSP


def test_settings_from_the_environment(tmp_path):
    """Client id on: the app is configured and the CSP lets forms redirect there; a bad level refuses to start."""
    import subprocess
    import sys

    from citypocket.accounts.tests.oidc_provider.server import PROJECT_DIR

    script = ("import json; from citypocket import settings as s; "
              "print(json.dumps([s.SOCIALACCOUNT_PROVIDERS['franceconnect']['APPS'], s.SECURE_CSP['form-action']]))")
    base_env = {"PATH": "/usr/bin:/bin", "CITYPOCKET_VAR_DIR": str(tmp_path)}

    def run(**env):
        return subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, env={**base_env, **env},
                              capture_output=True, text=True)

    off = run()
    assert json.loads(off.stdout) == [[], ["'self'"]]
    on = run(FRANCECONNECT_CLIENT_ID="abc", FRANCECONNECT_SECRET="s3cret", FRANCECONNECT_EIDAS_LEVEL="eidas2")
    apps, form_action = json.loads(on.stdout)
    assert apps[0]["client_id"] == "abc" and apps[0]["secret"] == "s3cret"
    assert apps[0]["settings"] == {"server_url": "https://fcp-low.integ01.dev-franceconnect.fr/api/v2",
                                   "eidas_level": "eidas2"}
    assert form_action == ["'self'", "https://fcp-low.integ01.dev-franceconnect.fr"]
    bad = run(FRANCECONNECT_CLIENT_ID="abc", FRANCECONNECT_SECRET="s3cret", FRANCECONNECT_EIDAS_LEVEL="eidas0")
    assert bad.returncode != 0 and "FRANCECONNECT_EIDAS_LEVEL" in bad.stderr


# --- end to end -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sign_in_and_out_through_the_provider(franceconnect, live_server, browser):
    """A person signs in with FranceConnect, then signs out of CityPocket and of the provider."""
    provider, base = franceconnect, live_server.url
    authorize_url = start_sign_in(browser, base)
    asked = query(authorize_url)
    assert authorize_url.startswith(f"{provider.issuer}/authorize/")
    assert asked["acr_values"] == "eidas1" and asked["prompt"] == "login consent"
    assert set(asked["scope"].split()) == {"openid", "email", "given_name", "family_name"}
    assert len(asked["nonce"]) >= 32 and len(asked["state"]) >= 32
    assert asked["redirect_uri"] == base + CALLBACK_PATH

    callback_url = authenticate_at_provider(browser, provider, authorize_url)
    assert callback_url.startswith(base + CALLBACK_PATH) and query(callback_url)["state"] == asked["state"]
    landing = browser.get(callback_url)
    assert landing.status_code == 302 and landing.headers["location"] == "/"

    # Signed in as the provider's person, with a verified address and no password of their own.
    assert signed_in_email(browser, base) == provider.email
    user = User.objects.get(email=provider.email)
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    # Only the kept claims are stored; no token at all in the database.
    account = SocialAccount.objects.get(user=user, provider="franceconnect")
    assert account.extra_data == {"acr": "eidas1", "given_name": "Marie Claire", "family_name": "Dupont"}
    assert not SocialToken.objects.exists()
    # The session holds the ID token (for the logout): it carries the nonce sent and the level asked.
    session = browser.session()
    id_token = session[SESSION_KEY]["id_token"]
    claims = jwt.decode(id_token, options={"verify_signature": False})
    assert claims["nonce"] == asked["nonce"] and claims["acr"] == "eidas1" and claims["sub"] == account.uid
    assert id_token not in json.dumps(account.extra_data)
    session_key = browser.cookie("sessionid")

    # Sign out: CityPocket's session ends, the browser goes to the provider's end-session endpoint…
    page = browser.get(f"{base}/accounts/logout/")
    response = browser.submit(page, find_form(page.text, action="/accounts/logout/"))
    end_session_url = response.headers["location"]
    assert end_session_url.startswith(f"{provider.issuer}/logout/")
    sent = query(end_session_url)
    assert sent["id_token_hint"] == id_token
    assert sent["post_logout_redirect_uri"] == base + LOGOUT_CALLBACK_PATH
    assert len(sent["state"]) >= 32
    assert not Session.objects.filter(session_key=session_key).exists()
    assert signed_in_email(browser, base) is None
    # …which signs the person out there and sends the browser back with the state…
    back = browser.get(end_session_url)
    assert back.status_code == 302
    assert back.headers["location"] == f"{base}{LOGOUT_CALLBACK_PATH}?{urlencode({'state': sent['state']})}"
    # …to CityPocket, which checks it and lands on the home page.
    home = browser.get(back.headers["location"])
    assert home.status_code == 302 and home.headers["location"] == "/"
    assert "franceconnect_logout" not in browser.session()
    assert signed_in_email(browser, base) is None
    # The provider's own session is gone: a new sign-in there asks for the password again.
    again = browser.get(with_query(authorize_url, prompt=None))
    assert again.status_code == 302 and urlsplit(again.headers["location"]).path == "/login/"

    # Signing in again finds the same account (by the provider's subject), not a new one.
    browser.get(browser_callback := authenticate_at_provider(browser, provider, start_sign_in(browser, base)))
    assert browser_callback.startswith(base + CALLBACK_PATH)
    assert signed_in_email(browser, base) == provider.email
    assert User.objects.filter(email=provider.email).count() == 1


def _refused(browser, base, provider, response, caplog=None, reason: str = "") -> None:
    assert response.status_code == 401 and "Signing in with FranceConnect did not succeed" in response.text
    if caplog is not None:
        reasons = [getattr(record, "reason", "") or "" for record in caplog.records if record.msg == "sign_in_refused"]
        assert any(reason in text for text in reasons), reasons
    assert signed_in_email(browser, base) is None
    assert not User.objects.filter(email=provider.email).exists()
    assert not SocialAccount.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("nonce", ["tampered", "missing"])
def test_an_id_token_with_another_nonce_is_refused(franceconnect, live_server, browser, caplog, nonce):
    """The nonce is changed (or dropped) on its way to the provider: the ID token then fails the check."""
    authorize_url = start_sign_in(browser, live_server.url)
    forged = with_query(authorize_url, nonce=secrets.token_urlsafe(32) if nonce == "tampered" else None)
    callback_url = authenticate_at_provider(browser, franceconnect, forged)
    response = browser.get(callback_url)
    reason = "nonce is not the one sent" if nonce == "tampered" else 'missing the "nonce" claim'
    _refused(browser, live_server.url, franceconnect, response, caplog, reason)


@pytest.mark.django_db(transaction=True)
def test_a_level_below_the_one_asked_is_refused(settings, franceconnect, live_server, browser, caplog):
    """CityPocket asks eidas2; the provider vouches only for eidas1: no sign-in."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "franceconnect": {"APPS": [franceconnect_app(franceconnect, eidas_level="eidas2")]}}
    authorize_url = start_sign_in(browser, live_server.url)
    assert query(authorize_url)["acr_values"] == "eidas2"
    response = browser.get(authenticate_at_provider(browser, franceconnect, authorize_url))
    _refused(browser, live_server.url, franceconnect, response, caplog, "eIDAS level 'eidas1' is below 'eidas2'")


@pytest.mark.django_db(transaction=True)
def test_a_callback_with_another_state_or_from_another_browser_is_refused(franceconnect, live_server, browser):
    """A changed state, or a good callback replayed in another browser, signs nobody in."""
    callback_url = authenticate_at_provider(browser, franceconnect, start_sign_in(browser, live_server.url))
    stranger = Browser()
    try:
        _refused(stranger, live_server.url, franceconnect, stranger.get(callback_url))
    finally:
        stranger.close()
    response = browser.get(with_query(callback_url, state=secrets.token_urlsafe(32)))
    _refused(browser, live_server.url, franceconnect, response)


@pytest.mark.django_db(transaction=True)
def test_the_query_string_cannot_widen_the_scope_or_lower_the_level(franceconnect, live_server, browser):
    """?scope= and ?auth_params= on the login URL are ignored: no birth date asked, level kept."""
    page = browser.get(f"{live_server.url}/accounts/login/")
    form = find_form(page.text, action="/accounts/franceconnect/login/")
    extra = urlencode({"scope": "birthdate", "auth_params": "acr_values=eidas0&prompt=none"})
    response = browser.post(f"{live_server.url}/accounts/franceconnect/login/?{extra}", form["fields"])
    asked = query(response.headers["location"])
    assert set(asked["scope"].split()) == {"openid", "email", "given_name", "family_name"}
    assert asked["acr_values"] == "eidas1" and asked["prompt"] == "login consent"


@pytest.mark.django_db(transaction=True)
def test_an_existing_account_with_the_same_email_is_not_joined_silently(franceconnect, live_server, browser):
    """A FranceConnect identity with my address does not open my account; I can link it once signed in."""
    base = live_server.url
    mine = UserFactory(email=franceconnect.email)
    callback_url = authenticate_at_provider(browser, franceconnect, start_sign_in(browser, base))
    page = browser.follow(browser.get(callback_url))
    # allauth does not tell who has an account: it mails the address's owner, and says "check your mail".
    assert urlsplit(str(page.url)).path == "/accounts/confirm-email/"
    assert [message.to for message in mail.outbox] == [[mine.email]]
    assert signed_in_email(browser, base) is None
    assert not SocialAccount.objects.filter(user=mine).exists()

    # The owner signs in with the password, then links FranceConnect from the connections page.
    page = browser.get(f"{base}/accounts/login/")
    browser.submit(page, find_form(page.text, action="/accounts/login/"), login=mine.email, password=PASSWORD)
    assert signed_in_email(browser, base) == mine.email
    connections = browser.get(f"{base}/accounts/3rdparty/")
    link = re.search(r'href="(/accounts/franceconnect/login/\?[^"]*process=connect[^"]*)"', connections.text).group(1)
    confirm = browser.get(base + link.replace("&amp;", "&"))
    authorize = browser.submit(confirm, confirm_form(confirm.text))
    browser.get(authenticate_at_provider(browser, franceconnect, authorize.headers["location"]))
    assert SocialAccount.objects.get(user=mine).extra_data["family_name"] == "Dupont"
    assert signed_in_email(browser, base) == mine.email
    assert browser.session()[SESSION_KEY]["sub"] == SocialAccount.objects.get(user=mine).uid


@pytest.mark.django_db(transaction=True)
def test_my_data_lists_the_franceconnect_link_and_deletion_explains_the_missing_password(
        franceconnect, live_server, browser):
    """The export shows the kept claims; an account without password is told how to confirm deletion."""
    browser.get(authenticate_at_provider(browser, franceconnect, start_sign_in(browser, live_server.url)))
    export = json.loads(browser.get(f"{live_server.url}/accounts/my-data/export.json").content)
    [link] = rows_of(export, "socialaccount.socialaccount")
    assert link["provider"] == "franceconnect"
    assert link["extra_data"] == {"acr": "eidas1", "given_name": "Marie Claire", "family_name": "Dupont"}
    assert link["uid"] == SocialAccount.objects.get().uid
    assert rows_of(export, "socialaccount.socialtoken") == []  # tokens are not stored
    page = browser.get(f"{live_server.url}/accounts/my-data/")
    response = browser.submit(page, find_form(page.text, field="password"), password="anything")
    assert response.status_code == 400
    assert "/accounts/password/set/" in response.text
    assert User.objects.filter(email=franceconnect.email).exists()
