"""Template tags of the app shell (base.html)."""

import itertools
import secrets

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.timezone import get_current_timezone_name
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


# The HTML of `{% keep %}` fragments, per fragment, language, time zone and the values it names; in
# the process's memory, bounded (the values may come from URLs), never kept with DEBUG on.
_kept: dict[tuple, str] = {}
KEPT_MAX = 1024
_fragments = itertools.count()
# Rendered in place of the request's CSP nonce inside a kept fragment, then replaced by it: random per
# process, so that no text of a fragment (a city's name, a translation) can stand for it.
NONCE_STAND_IN = "nonce" + secrets.token_hex(16)


class KeepNode(template.Node):
    def __init__(self, nodelist, values):
        self.nodelist, self.values, self.number = nodelist, values, next(_fragments)

    def render(self, context):
        key = (self.number, get_language(), get_current_timezone_name(), get_script_prefix(), get_urlconf(),
               *(_hashable(value.resolve(context)) for value in self.values))
        keeping = not settings.DEBUG  # on a laptop an edited template shows at the next page
        html = _kept.get(key) if keeping else None
        if html is None:
            with context.push(csp_nonce=NONCE_STAND_IN):
                html = self.nodelist.render(context)
            if keeping:
                if len(_kept) >= KEPT_MAX:
                    _kept.clear()
                _kept[key] = html
        if NONCE_STAND_IN in html:
            return html.replace(NONCE_STAND_IN, str(context.get("csp_nonce", "")))
        return html


def _hashable(value):
    return tuple(value) if type(value) is list else value  # a list of strings (precache_urls)


@register.tag
def keep(parser, token):
    """`{% keep city.slug city.name %}…{% endkeep %}`: the part of the page between the two tags is rendered
    once per process for each language, time zone and value of the expressions named, and reused.

    Only for the parts of the shell that every request shows alike: whatever the inside reads must be
    one of the values named (or the language), never the request, the user, the CSRF token or data
    that changes; the CSP nonce may be used (`{{ csp_nonce }}`), it is set per response.
    """
    values = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    return KeepNode(nodelist, values)
