"""The FranceConnect provider: allauth's OpenID Connect provider with FranceConnect's parameters."""

import secrets

from allauth.account.models import EmailAddress
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.openid_connect.provider import (
    OpenIDConnectProvider,
    OpenIDConnectProviderAccount,
)
from django.urls import reverse
from django.utils.http import urlencode

from citypocket.accounts.franceconnect.claims import EIDAS_LEVELS, KEPT_CLAIMS, PROVIDER_ID, SCOPE
from citypocket.accounts.franceconnect.views import FranceConnectOAuth2Adapter


class FranceConnectAccount(OpenIDConnectProviderAccount):
    def to_str(self) -> str:
        data = self.account.extra_data or {}
        name = " ".join(part for part in (data.get("given_name"), data.get("family_name")) if part)
        return name or "FranceConnect"


class FranceConnectProvider(OpenIDConnectProvider):
    id = PROVIDER_ID
    name = "FranceConnect"
    account_class = FranceConnectAccount
    oauth2_adapter_class = FranceConnectOAuth2Adapter
    supports_token_authentication = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.name = "FranceConnect"

    @property
    def eidas_level(self) -> str:
        return self.app.settings.get("eidas_level", EIDAS_LEVELS[0])

    def get_login_url(self, request, **kwargs) -> str:
        url = reverse("franceconnect_login")
        return f"{url}?{urlencode(kwargs)}" if kwargs else url

    def get_callback_url(self) -> str:
        return reverse("franceconnect_callback")

    def get_oauth2_adapter(self, request):
        return self.oauth2_adapter_class(request)

    def get_default_scope(self) -> list[str]:
        return list(SCOPE)

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        """Sends the browser to FranceConnect with a fresh nonce, the eIDAS level and a fixed scope.

        The nonce travels in allauth's stashed state (in the session) to the callback, which
        compares it with the ID token's. Scope and parameters from the query string are ignored:
        a visitor cannot widen what is asked nor lower the level.
        """
        nonce = secrets.token_urlsafe(32)
        kwargs["scope"] = self.get_scope()
        kwargs["auth_params"] = {
            **self.get_auth_params(),
            "acr_values": self.eidas_level,
            "nonce": nonce,
            "prompt": "login consent",
        }
        return super().redirect(request, process, next_url, data, nonce=nonce, **kwargs)

    def verify_token(self, request, token):
        raise get_adapter().validation_error("invalid_token")

    # What allauth builds the SocialLogin from: `data` is {"id_token": claims, "userinfo": claims},
    # both already verified by the adapter.

    def extract_uid(self, data) -> str:
        return str(data["id_token"]["sub"])

    def extract_common_fields(self, data) -> dict:
        return {"email": data["userinfo"].get("email")}

    def extract_email_addresses(self, data) -> list:
        email = data["userinfo"].get("email")
        # FranceConnect's own guidance: do not make the person verify again the address it sends.
        return [EmailAddress(email=email, verified=True, primary=True)] if email else []

    def extract_extra_data(self, data) -> dict:
        claims = {**data["userinfo"], "acr": data["id_token"].get("acr")}
        return {name: claims[name] for name in KEPT_CLAIMS if claims.get(name)}


provider_classes = [FranceConnectProvider]
