"""allauth's account adapter, fitted to CityPocket's sign-in defence (defence.py)."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from citypocket.accounts.defence import address_key


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's client address, for its rate limits and the sessions list (usersessions), is the
        pseudonym axes uses: resolved with TRUSTED_PROXY_COUNT, and no address kept in the cache or in
        the sessions table."""
        return address_key(request)

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        """Failed passwords are counted by axes alone, per account, address and known device. allauth's
        login_failed limit counts per e-mail address and would refuse an account's known device too
        while the account is under attack; it still guards the second-factor step (settings)."""
        self._login_failed_rl_usage = None
