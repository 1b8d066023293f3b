"""Labels translated once per process and language (core.i18n)."""

from django.utils.translation import override

from citypocket.core.i18n import translated
from citypocket.mobility.status import STATUS_LABELS


def test_a_table_of_labels_is_made_once_per_language():
    with override("fr"):
        french = translated(STATUS_LABELS)
        assert french["full"] == "Complet" and translated(STATUS_LABELS) is french
    with override("en"):
        english = translated(STATUS_LABELS)
        assert english["full"] == "Full" and english is not french
    with override("fr"):
        assert translated(STATUS_LABELS) is french
    assert set(french) == set(STATUS_LABELS) and all(isinstance(label, str) for label in french.values())


def test_a_change_of_languages_forgets_the_tables(settings):
    with override("fr"):
        before = translated(STATUS_LABELS)
        settings.LANGUAGES = [("fr", "Français"), ("en", "English")]
        assert translated(STATUS_LABELS) is not before
