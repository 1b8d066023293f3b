"""What "My data" shows of a FranceConnect link: the kept claims, the identifier and the dates."""

from citypocket.accounts.franceconnect.claims import PROVIDER_ID


def export_franceconnect(user) -> list[dict]:
    return [
        {
            "identifier": account.uid,
            "linked_at": account.date_joined.isoformat(),
            "last_sign_in": account.last_login.isoformat(),
            "claims": account.extra_data,
        }
        for account in user.socialaccount_set.filter(provider=PROVIDER_ID)
    ]
