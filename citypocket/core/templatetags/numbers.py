"""Numbers and money as each language writes them: `{% load numbers %}`, `{{ amount|money }}`.

French: "1 000 000 €" (narrow no-break spaces between groups, a no-break space before the sign);
English: "€1,000,000". Grouping comes from Django's localisation (citypocket/formats for French).
"""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import get_language

register = template.Library()


@register.filter
def money(value, decimals: int = 0) -> str:
    """An amount in euros, grouped, with the sign where the page's language puts it; "" for None."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    text = formats.number_format(number, decimal_pos=int(decimals), use_l10n=True, force_grouping=True)
    if (get_language() or "fr").startswith("en"):
        return f"€{text}"
    return f"{text}\u00a0€"


@register.filter
def grouped(value) -> str:
    """A whole number with its digits grouped per language ("1 900" in French, "1,900" in English)."""
    if value in (None, ""):
        return ""
    return formats.number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)
