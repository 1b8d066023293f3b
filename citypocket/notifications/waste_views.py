"""The waste page's "Remind me the evening before" for a signed-in person (`waste_reminder`), and
what that page shows of it (`reminder_context`, used by the `waste_reminder` template tag).

A device without an account saves its zone through the push-subscription API instead
(`static/notifications/waste-reminder.js`). Either way only the collection zone is saved, never
the address.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citypocket.core.problems import DomainError
from citypocket.core.throttling import throttle_form_posts
from citypocket.core.views import resolve_city
from citypocket.notifications import services
from citypocket.notifications.models import Subscription, Theme


def reminder_context(*, city, zone, user) -> dict:
    """What the zone page shows: the signed-in person's form (with their subscriptions in the city)
    or the device's control (everyone else; the script shows it when this browser has push)."""
    subscriptions = []
    if getattr(user, "is_authenticated", False):
        subscriptions = list(Subscription.objects.filter(city=city, user=user, is_active=True)
                             .values_list("themes", "waste_zones"))
    return {
        "city": city, "zone": zone, "signed_in": bool(subscriptions),
        "reminded": any(Theme.WASTE in themes and zone.slug in zones for themes, zones in subscriptions),
        "centre_url": reverse("notifications:centre", kwargs={"city": city.slug}),
    }


@require_POST
@throttle_form_posts
def waste_reminder(request, city: str):
    """Saves (or, `action=stop`, removes) the collection zone on the signed-in person's subscriptions
    in the city, then goes back to the zone's page."""
    place = resolve_city(city)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={reverse('cityinfo:waste', kwargs={'city': place.slug})}")
    slug = (request.POST.get("zone") or "")[:60]
    try:
        services.check_waste_zones(place, [slug])
    except DomainError as error:
        raise Http404("No such collection zone.") from error
    back = reverse("cityinfo:waste_zone", kwargs={"city": place.slug, "zone": slug})
    if request.POST.get("action") == "stop":
        services.forget_waste_zone(city=place, user=request.user, zone=slug)
        messages.success(request, _("You will no longer be reminded of this area's collections."))
        return redirect(back)
    if not services.remind_waste_zone(city=place, user=request.user, zone=slug):
        messages.info(request, _("Turn notifications on first, then save your collection area."))
        return redirect("notifications:centre", city=place.slug)
    messages.success(request, _("You will be reminded the evening before each collection of this area."))
    return redirect(back)
