"""Settings of the test OpenID Connect provider; everything run-specific comes from the environment."""

import os
from pathlib import Path

DATA_DIR = Path(os.environ["OIDC_PROVIDER_DIR"])
ISSUER = os.environ["OIDC_PROVIDER_ISSUER"]  # e.g. http://127.0.0.1:8123/o
ACR = os.environ.get("OIDC_PROVIDER_ACR", "eidas1")  # the assurance level this provider vouches for

DEBUG = False
SECRET_KEY = os.environ.get("OIDC_PROVIDER_SECRET_KEY", "test-provider-only-" + "y" * 40)
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "citypocket.accounts.tests.oidc_provider.urls"
WSGI_APPLICATION = "citypocket.accounts.tests.oidc_provider.wsgi.application"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "provider.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
LOGIN_URL = "/login/"
# The browser holds this provider's cookies next to CityPocket's: other names, no clash.
SESSION_COOKIE_NAME = "provider_sessionid"
CSRF_COOKIE_NAME = "provider_csrftoken"

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": ISSUER,
    "OIDC_RSA_PRIVATE_KEY": (DATA_DIR / "signing-key.pem").read_text(),
    "OAUTH2_VALIDATOR_CLASS": "citypocket.accounts.tests.oidc_provider.validators.FranceConnectLikeValidator",
    "SCOPES": {
        "openid": "OpenID Connect",
        "email": "E-mail address",
        "given_name": "Given names",
        "family_name": "Family name",
        "birthdate": "Date of birth",
    },
    "DEFAULT_SCOPES": ["openid"],
    "PKCE_REQUIRED": False,  # FranceConnect does not use PKCE
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
