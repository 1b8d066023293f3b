"""Sign-in alerts to staff: the e-mail sent by the task that the sign-in defence enqueues."""

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


def email_sign_in_alert(*, user_id: int, kind: str, failures: int) -> None:
    """The alert e-mail of alert_staff_under_attack, in the person's language."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    minutes = int(get_cool_off().total_seconds() // 60)
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    with translation.override(user.language):
        if kind == "locked":
            subject = _("CityPocket: sign-in to your account is paused")
            body = _(
                "After %(failures)s failed sign-in attempts in the last %(minutes)s minutes, signing in to "
                "your CityPocket account from a new device is paused for %(minutes)s minutes. The devices "
                "you already signed in with still work, with your password."
            ) % {"failures": failures, "minutes": minutes}
        else:
            subject = _("CityPocket: failed sign-ins on your account")
            body = _(
                "Someone tried to sign in to your CityPocket account with a wrong password %(failures)s "
                "times in the last %(minutes)s minutes."
            ) % {"failures": failures, "minutes": minutes}
        advice = _(
            "If it was you, there is nothing to do. If not, your password held; your staff role makes "
            "your account a target: keep your second factor on, and change your password if you use it "
            "anywhere else: %(url)s"
        ) % {"url": f"{site}{reverse('account_change_password')}"}
    send_mail(subject=subject, message=f"{body}\n\n{advice}", from_email=None, recipient_list=[user.email])
