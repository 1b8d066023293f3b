"""Personal data of the air app (docs/privacy.md): alert subscriptions and the alerts sent to them.

The push keys and the unsubscribe token are secrets of the browser: they are not exported.
"""

from django.utils.translation import gettext_lazy as _

from citypocket.air.models import AlertDelivery, AlertSubscription
from citypocket.core.privacy import Delete, LegalBasis, PersonalData, WithParent

ALERTS = _("Telling the person when the city's air quality is poor or worse.")
UNTIL_UNSUBSCRIBED = _("Until the person unsubscribes or deletes the account.")
SENDERS = _("The e-mail provider of the platform (e-mail), the push service of the person's browser "
            "(web push; the message is encrypted end to end).")
PUSH_TRANSFERS = _("Web push goes through the browser vendor's push service (Google, Mozilla, Apple…), "
                   "possibly outside the EU; it carries only the encrypted alert.")

PERSONAL_DATA = [
    PersonalData(
        AlertSubscription, user="user", export=("city__slug", "channel", "endpoint", "language", "is_active",
                                                "created_at"),
        erase=Delete(), purpose=ALERTS, basis=LegalBasis.CONSENT, retention=UNTIL_UNSUBSCRIBED,
        recipients=SENDERS, transfers=PUSH_TRANSFERS,
    ),
    PersonalData(
        AlertDelivery, user="subscription__user", city="subscription__city",
        export=("alert__date", "alert__level", "status", "sent_at"), erase=WithParent(AlertSubscription),
        purpose=ALERTS, basis=LegalBasis.CONSENT, retention=UNTIL_UNSUBSCRIBED, recipients=SENDERS,
        transfers=PUSH_TRANSFERS,
    ),
]
