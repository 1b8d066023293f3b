"""GDPR self-service: a person downloads what CityPocket keeps about them, or deletes their account."""

from django.db import transaction

from citypocket.core.privacy import list_personal_data


def export_personal_data(*, user) -> dict:
    """Everything kept about `user`, by app, as JSON-serialisable data."""
    data = {
        "account": {
            "email": user.email,
            "language": user.language,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        }
    }
    for entry in list_personal_data():
        data[entry.name] = entry.export(user)
    return data


@transaction.atomic
def delete_account(*, user) -> None:
    """Erases each app's data about `user`, then the account itself (cascading to the rest)."""
    for entry in list_personal_data():
        if entry.erase is not None:
            entry.erase(user)
    user.delete()
