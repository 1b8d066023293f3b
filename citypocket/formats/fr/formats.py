"""French formats: Django's, with the narrow no-break space (U+202F) that French typography puts
between groups of digits ("1 000 000 €")."""

from django.conf.locale.fr.formats import *  # noqa: F403

THOUSAND_SEPARATOR = "\u202f"
