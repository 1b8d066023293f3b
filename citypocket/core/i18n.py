"""Labels translated once per process and language.

A lazy translation (gettext_lazy) is looked up again each time it is made a string; a hot read that
labels every row (a car park's status, a counting point's congestion) would look up the same few
words at every row of every request. `translated` gives a table of such labels in the active
language, made once per language.
"""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language

_tables: dict[tuple[int, str | None], dict] = {}


def translated(labels: dict) -> dict:
    """`labels` (lazy translations by key; a table that lives as long as the process) in the active
    language."""
    key = (id(labels), get_language())
    table = _tables.get(key)
    if table is None:
        table = _tables[key] = {name: str(label) for name, label in labels.items()}
    return table


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}:
        _tables.clear()
