"""django-oauth-toolkit's validator with FranceConnect's ways: claim per scope, `acr`, signed userinfo."""

import json
import time

from django.conf import settings
from jwcrypto import jwt
from oauth2_provider.oauth2_validators import OAuth2Validator


class FranceConnectLikeValidator(OAuth2Validator):
    # FranceConnect has one scope per claim (not OpenID Connect's "profile").
    oidc_claim_scope = {
        "sub": "openid",
        "email": "email",
        "given_name": "given_name",
        "family_name": "family_name",
        "birthdate": "birthdate",
    }

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "birthdate": "1990-04-12",
        }

    def finalize_id_token(self, id_token, token, token_handler, request):
        id_token["acr"] = settings.ACR
        return super().finalize_id_token(id_token, token, token_handler, request)

    def get_userinfo_claims(self, request):
        """The claims as a JWT signed with the application's key (oauthlib answers application/jwt)."""
        claims = super().get_userinfo_claims(request)
        application = request.access_token.application
        claims.update(iss=self.get_oidc_issuer_endpoint(request), aud=application.client_id, iat=int(time.time()))
        key = application.jwk_key
        token = jwt.JWT(header=json.dumps({"alg": "RS256", "kid": key.thumbprint()}), claims=json.dumps(claims))
        token.make_signed_token(key)
        return token.serialize()
