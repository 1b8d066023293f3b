"""FranceConnect sign-in and sign-out: the OAuth2 adapter with its checks, and the views."""

import hmac
import logging
import secrets

import jwt
from allauth.account.views import LogoutView as AllauthLogoutView
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialAccount, SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from requests import RequestException

from citypocket.accounts.franceconnect.claims import PROVIDER_ID, eidas_rank

logger = logging.getLogger(__name__)

SIGNING_ALGORITHMS = ("ES256", "RS256")  # what FranceConnect v2 signs with; never "none" nor HMAC
CLOCK_LEEWAY_SECONDS = 60
ID_TOKEN_STATE_KEY = "franceconnect_id_token"  # in allauth's state, from the callback to the sign-in
SESSION_KEY = "franceconnect"  # {"id_token", "sub"} of the signed-in person, for the logout
LOGOUT_SESSION_KEY = "franceconnect_logout"  # {"state", "next"} while the browser is at FranceConnect


class FranceConnectOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    """allauth's OpenID Connect adapter, with the checks FranceConnect asks of a service provider.

    allauth skips the ID token's signature when the token comes straight from the token endpoint
    (which OpenID Connect allows); FranceConnect asks for it to be checked, and the userinfo answer
    is a signed JWT too. Any failed check raises `OAuth2Error`: allauth then shows its
    authentication error page and signs nobody in.
    """

    # The state allauth stashed at the redirect (nonce included); set by the callback view.
    state: dict | None = None

    def __init__(self, request) -> None:
        super().__init__(request, PROVIDER_ID)

    def get_callback_url(self, request, app) -> str:
        return build_absolute_uri(request, reverse("franceconnect_callback"), self.redirect_uri_protocol)

    def complete_login(self, request, app, token, **kwargs):
        if not self.state or not self.state.get("nonce"):
            raise OAuth2Error("FranceConnect: no nonce stashed for this sign-in")
        raw_id_token = kwargs["response"].get("id_token")
        if not raw_id_token:
            raise OAuth2Error("FranceConnect: the token endpoint sent no ID token")
        provider = self.get_provider()
        claims = self.verify_id_token(app, raw_id_token, expected_nonce=self.state["nonce"],
                                      eidas_level=provider.eidas_level)
        userinfo = self.fetch_userinfo(app, token.token)
        if str(userinfo.get("sub")) != str(claims["sub"]):
            raise OAuth2Error("FranceConnect: userinfo is about another person than the ID token")
        # Handed to the sign-in (signals.remember_sign_in) through the state, never stored in a table.
        self.state[ID_TOKEN_STATE_KEY] = raw_id_token
        return provider.sociallogin_from_response(request, {"id_token": claims, "userinfo": userinfo})

    def verify_id_token(self, app, raw: str, *, expected_nonce: str, eidas_level: str) -> dict:
        claims = self._decode(raw, app=app, require=["iss", "aud", "exp", "iat", "sub", "nonce", "acr"])
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != app.client_id:
            raise OAuth2Error("FranceConnect: ID token for several audiences without our azp")
        if not hmac.compare_digest(str(claims["nonce"]), expected_nonce):
            raise OAuth2Error("FranceConnect: the ID token's nonce is not the one sent")
        if eidas_rank(claims["acr"]) < eidas_rank(eidas_level):
            raise OAuth2Error(f"FranceConnect: eIDAS level {claims['acr']!r} is below {eidas_level!r}")
        return claims

    def fetch_userinfo(self, app, access_token: str) -> dict:
        with get_adapter().get_requests_session() as session:
            response = session.get(self.profile_url, headers={"Authorization": f"Bearer {access_token}"})
            response.raise_for_status()
        if response.headers.get("content-type", "").split(";")[0].strip() != "application/jwt":
            raise OAuth2Error("FranceConnect: userinfo must be a signed JWT")
        claims = self._decode(response.text.strip(), app=app, require=["sub"], audience_optional=True)
        return claims

    def _decode(self, raw: str, *, app, require: list[str], audience_optional: bool = False) -> dict:
        """Checks the signature with the provider's published keys, then issuer, audience and times.

        OpenID Connect says a signed userinfo answer SHOULD carry `iss` and `aud`: there they are
        checked when present.
        """
        try:
            algorithm = jwt.get_unverified_header(raw).get("alg")
            if algorithm not in SIGNING_ALGORITHMS:
                raise OAuth2Error(f"FranceConnect: unexpected signing algorithm {algorithm!r}")
            algorithm, key = jwtkit.fetch_key(raw, self.openid_config["jwks_uri"], jwtkit.lookup_kid_jwk)
            if algorithm not in SIGNING_ALGORITHMS:
                raise OAuth2Error(f"FranceConnect: unexpected signing algorithm {algorithm!r}")
            unverified = jwt.decode(raw, options={"verify_signature": False})
            check_audience = not audience_optional or "aud" in unverified
            check_issuer = not audience_optional or "iss" in unverified
            return jwt.decode(
                raw,
                key=key,
                algorithms=[algorithm],
                audience=app.client_id if check_audience else None,
                issuer=self.openid_config["issuer"] if check_issuer else None,
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": require, "verify_aud": check_audience, "verify_iss": check_issuer},
            )
        except (jwt.PyJWTError, KeyError, ValueError) as error:
            raise OAuth2Error(f"FranceConnect: invalid token ({error})") from error


class FranceConnectCallbackView(OAuth2CallbackView):
    """allauth's callback, which also hands the stashed state (with the nonce) to the adapter."""

    def _get_state(self, request, provider):
        state, response = super()._get_state(request, provider)
        self.adapter.state = state
        return state, response


def _app_or_404(request) -> SocialApp:
    try:
        return get_adapter().get_app(request, PROVIDER_ID)
    except SocialApp.DoesNotExist:
        raise Http404 from None


def login(request):
    _app_or_404(request)
    return OAuth2LoginView.adapter_view(FranceConnectOAuth2Adapter(request))(request)


def callback(request):
    _app_or_404(request)
    return FranceConnectCallbackView.adapter_view(FranceConnectOAuth2Adapter(request))(request)


# --- Sign-out at FranceConnect (OpenID Connect RP-initiated logout) ---------------------------


def remember_sign_in(request, sociallogin) -> None:
    """After a FranceConnect sign-in (or linking), keeps the ID token in the session for the logout."""
    if request is None or sociallogin is None or sociallogin.account.provider != PROVIDER_ID:
        return
    raw_id_token = (sociallogin.state or {}).pop(ID_TOKEN_STATE_KEY, None)
    if raw_id_token:
        request.session[SESSION_KEY] = {"id_token": raw_id_token, "sub": sociallogin.account.uid}


def end_session_url(request, *, state: str) -> str | None:
    """The provider's end-session URL for this session's FranceConnect sign-in, or None.

    None when the person did not sign in with FranceConnect in this session, when FranceConnect
    is switched off, or when its configuration cannot be read (then only CityPocket signs out).
    """
    record = request.session.get(SESSION_KEY)
    if not record or not request.user.is_authenticated:
        return None
    if not SocialAccount.objects.filter(user=request.user, provider=PROVIDER_ID, uid=record.get("sub")).exists():
        return None
    try:
        get_adapter().get_app(request, PROVIDER_ID)
        endpoint = FranceConnectOAuth2Adapter(request).openid_config.get("end_session_endpoint")
    except (SocialApp.DoesNotExist, RequestException, ValueError):
        logger.warning("franceconnect.logout_unavailable")
        return None
    if not endpoint:
        return None
    params = {
        "id_token_hint": record["id_token"],
        "state": state,
        "post_logout_redirect_uri": build_absolute_uri(request, reverse("franceconnect_logout_callback")),
    }
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"


class LogoutView(AllauthLogoutView):
    """allauth's sign-out; after a FranceConnect sign-in, it goes on to sign out at FranceConnect.

    CityPocket's session ends first, whatever happens at FranceConnect; the ID token leaves with it.
    """

    def post(self, *args, **kwargs):
        state = secrets.token_urlsafe(32)
        provider_url = end_session_url(self.request, state=state)
        response = super().post(*args, **kwargs)
        if provider_url is None:
            return response
        self.request.session[LOGOUT_SESSION_KEY] = {"state": state, "next": response["Location"]}
        return redirect(provider_url)


logout = LogoutView.as_view()


@require_GET
def logout_callback(request):
    """Where FranceConnect sends the browser back after its sign-out (`post_logout_redirect_uri`)."""
    _app_or_404(request)
    pending = request.session.pop(LOGOUT_SESSION_KEY, None)
    if pending and hmac.compare_digest(request.GET.get("state", ""), pending["state"]):
        messages.success(request, _("You are also signed out of FranceConnect."))
        return redirect(pending["next"])
    return redirect("/")
