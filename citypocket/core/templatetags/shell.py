"""Template tags of the app shell (base.html)."""

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import get_language

register = template.Library()

# The HTML of the shell's parts that hold no variable, only translated text, per template and language:
# the same for every request of a process (templates change with the code, so with the process).
_constant: dict[tuple[str, str | None], str] = {}


@register.simple_tag
def include_constant(name: str) -> str:
    """`{% include_constant "core/_outbox.html" %}`: a template without variables (only `{% translate %}`),
    rendered once per language and process; each render of the outbox's 20 strings cost 8 % of a city home."""
    key = (name, get_language())
    html = _constant.get(key)
    if html is None:
        html = render_to_string(name)
        if not settings.DEBUG:  # on a laptop an edited template shows at the next page
            _constant[key] = html
    return html
