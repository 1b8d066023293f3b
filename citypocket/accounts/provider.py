"""allauth finds providers in the `provider` module of each installed app: this one is FranceConnect."""

from citypocket.accounts.franceconnect.provider import provider_classes

__all__ = ["provider_classes"]
