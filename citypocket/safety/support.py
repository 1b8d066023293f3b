"""Support services listed in every automatic answer and on the help-now page.

National numbers (service-public.fr): 17 police, 112 European emergency number, 114 emergency by
SMS for deaf and hard-of-hearing people, 3919 "Violences Femmes Info" (free, anonymous, 24/7),
116 006 France Victimes (the national victim-support line, which directs callers to the local
France Victimes association). Local associations are added per city only where we know them for
certain; for Rouen and Aix-en-Provence we point to the national line, which routes to the
department's association.
"""

from django.utils.translation import gettext as _

from citypocket.cities.models import City

CITY_SERVICES: dict[str, list[dict]] = {}


def list_support_services(*, city: City) -> list[dict]:
    """Services for `city`, most urgent first: name, how to reach them (`tel:`/`sms:`/https), what for."""
    services = [
        {"name": _("Police emergency"), "number": "17", "url": "tel:17",
         "description": _("Immediate danger: call the police.")},
        {"name": _("European emergency number"), "number": "112", "url": "tel:112",
         "description": _("Any emergency, from any phone, in the whole EU.")},
        {"name": _("Emergency by text message"), "number": "114", "url": "sms:114",
         "description": _("For deaf and hard-of-hearing people, or when you cannot speak.")},
        {"name": _("Violences Femmes Info"), "number": "3919", "url": "tel:3919",
         "description": _("Free, anonymous listening and guidance, 24 hours a day.")},
        {"name": _("France Victimes"), "number": "116 006", "url": "tel:116006",
         "description": _("Free help for victims; directs you to the victim-support association near you.")},
        {"name": _("Report online to the police"), "number": "",
         "url": "https://arretonslesviolences.gouv.fr/",
         "description": _("Chat with a trained police officer or gendarme, anonymously if you wish.")},
    ]
    return services + CITY_SERVICES.get(city.slug, [])
