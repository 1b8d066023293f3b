"""Template helpers of the account pages."""

from django import template
from django.utils.http import url_has_allowed_host_and_scheme

register = template.Library()


@register.filter
def local_url(value) -> str:
    """The URL when it stays on this site (a path), else "": allauth hands the raw `next` to templates."""
    value = str(value or "")
    return value if value and url_has_allowed_host_and_scheme(value, allowed_hosts=None) else ""
