"""Personal data of the notifications (docs/privacy.md): subscriptions, what was sent to them, and
who published a city alert.

The push keys and the subscription token are secrets of the browser: they are not exported.
"""

from django.utils.translation import gettext_lazy as _

from citypocket.core.privacy import (
    THE_CITY_STAFF,
    WHILE_THE_ACCOUNT_EXISTS,
    Anonymise,
    Delete,
    LegalBasis,
    NotPersonal,
    PersonalData,
    Subjects,
    WithParent,
)
from citypocket.notifications.models import (
    AlertConfirmation,
    AlertSettings,
    CityAlert,
    Delivery,
    Notification,
    Subscription,
)

NOTIFYING = _("Telling the person what they chose to hear about: city alerts, air episodes, followed items…")
UNTIL_UNSUBSCRIBED = _("Until the person unsubscribes or deletes the account.")
SENDERS = _("The e-mail provider of the platform (e-mail), the push service of the person's browser "
            "(web push; the message is encrypted end to end).")
STAFF_PURPOSE = _("Knowing who published and who confirmed a city alert.")
PUSH_TRANSFERS = _("Web push goes through the browser vendor's push service (Google, Mozilla, Apple…), "
                   "possibly outside the EU; it carries only the encrypted message.")


PERSONAL_DATA = [
    PersonalData(
        Subscription, user="user",
        export=("city__slug", "channel", "endpoint", "language", "themes", "communes", "waste_zones", "quiet_start",
                "quiet_end", "digest", "is_active", "created_at"),
        erase=Delete(), purpose=NOTIFYING, basis=LegalBasis.CONSENT, retention=UNTIL_UNSUBSCRIBED,
        recipients=SENDERS, transfers=PUSH_TRANSFERS,
    ),
    PersonalData(
        Delivery, user="subscription__user", city="subscription__city",
        export=("notification__theme", "notification__created_at", "channel", "status", "sent_at"),
        erase=WithParent(Subscription), purpose=NOTIFYING, basis=LegalBasis.CONSENT, retention=UNTIL_UNSUBSCRIBED,
        recipients=SENDERS, transfers=PUSH_TRANSFERS,
    ),
    PersonalData(
        Notification, user="user", export=("theme", "messages", "created_at"), erase=Delete(),
        title=_("notifications to the person only"), purpose=NOTIFYING, basis=LegalBasis.CONSENT,
        retention=WHILE_THE_ACCOUNT_EXISTS, recipients=SENDERS,
    ),
    PersonalData(
        CityAlert, user="author", export=("identifier", "kind", "state", "published_at"),
        erase=Anonymise(note=_("The alert stays published.")), purpose=STAFF_PURPOSE, basis=LegalBasis.PUBLIC_TASK,
        subjects=Subjects.STAFF, retention=WHILE_THE_ACCOUNT_EXISTS, recipients=THE_CITY_STAFF,
    ),
    PersonalData(
        AlertConfirmation, user="user", city="alert__city", export=("alert__identifier", "confirmed_at"),
        erase=Anonymise(note=_("The alert stays published.")), purpose=STAFF_PURPOSE, basis=LegalBasis.PUBLIC_TASK,
        subjects=Subjects.STAFF, retention=WHILE_THE_ACCOUNT_EXISTS, recipients=THE_CITY_STAFF,
    ),
    NotPersonal(AlertSettings, reason="A city's setting."),
]
