from django import template

from citypocket.mobility.status import STATUS_LABELS

register = template.Library()


@register.simple_tag
def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))
