from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citypocket.core.demo import register_demo_loader


class AccountsConfig(AppConfig):
    name = "citypocket.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in
        from allauth.socialaccount.signals import social_account_added

        # Here, not at the top: apps.py is imported while the app registry loads, and these
        # modules import models (allauth's and ours), which cannot load before it is ready.
        from citypocket.accounts.franceconnect.views import remember_sign_in

        def _remember(sender, request=None, sociallogin=None, **kwargs):
            remember_sign_in(request, sociallogin)

        user_logged_in.connect(_remember, dispatch_uid="franceconnect_remember_sign_in")
        # Demo accounts come right after the demo cities (the editor is a member of Rouen's staff).
        from citypocket.accounts import demo

        register_demo_loader("accounts", demo.load_demo, order=5)
        social_account_added.connect(_remember, dispatch_uid="franceconnect_remember_link")
