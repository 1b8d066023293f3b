"""allauth's social-account adapter: FranceConnect's longer `state`, and a log line for each refusal."""

import logging
import secrets

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

logger = logging.getLogger("citypocket.accounts.franceconnect")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def generate_state_param(self, state: dict) -> str:
        return secrets.token_urlsafe(32)  # 43 characters; FranceConnect asks for 32 or more

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        # The reason only (which check failed), never a token or a claim value about the person.
        logger.warning("sign_in_refused", extra={"provider": getattr(provider, "id", None), "error": str(error),
                                                  "reason": str(exception) if exception else None})
        return super().on_authentication_error(request, provider, error=error, exception=exception,
                                               extra_context=extra_context)
