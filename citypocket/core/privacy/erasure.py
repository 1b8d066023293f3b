"""Erasing a person's data (GDPR art. 17), generated from the declarations, in one transaction.

The rows of every declaration are found first, before anything changes (a rule that empties a
link would hide the rows found through it), then each rule is applied, the account last: deleting
it cascades to what its rows still hold. Rows are handled by chunks, so that the number of bound
parameters stays within what SQLite accepts.
"""

from itertools import batched

from django.apps import apps
from django.conf import settings
from django.db import transaction

from citypocket.core.privacy.registry import list_declarations
from citypocket.core.privacy.rules import Content

CHUNK = 500


@transaction.atomic
def erase_personal_data(*, user, content: str = Content.REMOVE) -> dict[str, int]:
    """Erases everything declared about `user` and the account; returns the rows handled per model."""
    content = Content(content)
    account = apps.get_model(settings.AUTH_USER_MODEL)
    declarations = sorted(list_declarations(), key=lambda declaration: declaration.model is account)
    plan = [(declaration, list(declaration.rows(user).values_list("pk", flat=True))) for declaration in declarations]
    handled = {}
    for declaration, pks in plan:
        manager = declaration.model._default_manager
        for chunk in batched(pks, CHUNK):
            declaration.erase.apply(manager.filter(pk__in=chunk), declaration=declaration, user=user,
                                    content=content)
        handled[declaration.key] = len(pks)
    return handled
