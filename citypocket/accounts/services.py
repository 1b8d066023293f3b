"""GDPR self-service: a person downloads what CityPocket keeps about them, or deletes their account.

Both are generated from the registry of personal data (core.privacy, docs/privacy.md): whatever an
app declares is exported and erased, each kind of row by its declared rule.
"""

from citypocket.core import privacy
from citypocket.core.privacy import Content


def export_personal_data(*, user) -> dict:
    """Everything kept about `user`, app by app and model by model, as JSON-serialisable data."""
    return privacy.export_personal_data(user)


def delete_account(*, user, content: str = Content.REMOVE) -> dict[str, int]:
    """Erases everything declared about `user` and the account, in one transaction.

    `content` is the person's choice for what they wrote: deleted (`remove`), or kept without
    their name and with its text replaced (`replace`).
    """
    return privacy.erase_personal_data(user=user, content=content)
