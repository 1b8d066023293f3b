"""`{% waste_reminder city zone %}`: the waste zone page's "Remind me the evening before" (cityinfo's
template loads it; cityinfo's code does not import the notifications)."""

from django import template

from citypocket.notifications.waste_views import reminder_context

register = template.Library()


@register.inclusion_tag("notifications/_waste_reminder.html", takes_context=True)
def waste_reminder(context, city, zone) -> dict:
    request = context.get("request")
    return {**reminder_context(city=city, zone=zone, user=getattr(request, "user", None)),
            "csrf_token": context.get("csrf_token"), "request": request}
