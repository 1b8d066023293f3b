"""What CityPocket asks of FranceConnect and what it keeps: scope, eIDAS levels, stored claims."""

PROVIDER_ID = "franceconnect"
# eIDAS assurance levels as FranceConnect names them, weakest first.
EIDAS_LEVELS = ("eidas1", "eidas2", "eidas3")
# Asked of FranceConnect: an e-mail address for the account and the person's names. Birth date and
# birthplace are not asked: no residency check of CityPocket reads them (docs/accounts.md).
SCOPE = ("openid", "email", "given_name", "family_name")
# Stored on the SocialAccount (`extra_data`); everything else the provider sends is dropped.
KEPT_CLAIMS = ("acr", "given_name", "family_name")


def eidas_rank(level) -> int:
    """0 for an unknown level, else 1..3; a returned level must rank at least as high as the asked one."""
    return EIDAS_LEVELS.index(level) + 1 if level in EIDAS_LEVELS else 0
