"""CityPocket settings, read from the environment (12-factor).

Every environment variable of the platform is read here, once, typed and validated at start-up
(citypocket.environment): a value that does not parse stops the process with an error naming the
variable. Apps read `django.conf.settings`, never the environment. Every variable is listed in
docs/configuration.md (a test holds the two together). Defaults suit a laptop (SQLite, database
cache, demo simulator); production fails loudly when a required value is missing.
"""

import os
import socket
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from citypocket.environment import Environment, is_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

env = Environment(os.environ)

DEBUG = env.flag("DEBUG", True)
VAR_DIR = Path(env.text("CITYPOCKET_VAR_DIR", str(PROJECT_DIR / "var")))

SECRET_KEY = env.text("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-laptop-only-" + "x" * 40

ALLOWED_HOSTS = env.items("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.items("CSRF_TRUSTED_ORIGINS")
for _origin in CSRF_TRUSTED_ORIGINS:
    if not is_url(_origin):
        raise env.error("CSRF_TRUSTED_ORIGINS", "comma-separated origins such as https://app.example.org", _origin)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "citypocket.accounts",  # before allauth, so that its templates override allauth's
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "django_htmx",
    "django_tasks_db",
    "ninja",
    "citypocket.core",
    "citypocket.cities",
    "citypocket.sensors",
    "citypocket.air",
    "citypocket.mobility",
    "citypocket.participation",
    "citypocket.safety",
    "citypocket.opendata",
    "citypocket.cityinfo",
    "citypocket.notifications",
    "citypocket.officialfeeds",
]

MIDDLEWARE = [
    "citypocket.core.middleware.AnonymousAPIReadMiddleware",  # first: the short chain of anonymous API reads
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "citypocket.core.middleware.RequestLogMiddleware",
    "citypocket.core.guards.BadInputMiddleware",
    "citypocket.core.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "citypocket.core.middleware.LanguageParameterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "citypocket.core.middleware.PersonalResponseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "citypocket.accounts.middleware.StaffMFARequiredMiddleware",
]

ROOT_URLCONF = "citypocket.urls"
WSGI_APPLICATION = "citypocket.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "citypocket.core.context_processors.platform",
                "citypocket.notifications.context_processors.city_alerts",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite (WAL) is the embedded default; PostgreSQL through DATABASE_URL in production and CI.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env.text("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'citypocket.sqlite3'}"
# A connection kept for a minute and checked before reuse: opening one per request costs PostgreSQL
# more than the request itself (docs/benchmarks.md). 0 closes it after each request.
DB_CONN_MAX_AGE = env.integer("DB_CONN_MAX_AGE", 60, minimum=0)
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE,
                                                  conn_health_checks=True)}
except ValueError:  # never echo the URL: it holds the password
    raise env.error("DATABASE_URL", "a database URL such as postgres://user:pass@host:5432/citypocket or "
                    "sqlite:///path/to/file.sqlite3") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run while the ingest process writes; IMMEDIATE avoids the
        # "database is locked" upgrade deadlock between concurrent writers.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-citypocket.sqlite3")}
# PostgreSQL only: the hot reads' statements are prepared by the database, planned once per connection
# (core/prepared.py). psycopg then counts the queries it sends but prepares only those asked for: its
# threshold is never reached. Off: nothing is prepared (Django's default), e.g. behind a pooler in
# transaction mode that cannot carry prepared statements.
DB_PREPARED_READS = env.flag("DB_PREPARED_READS", True)
if DB_PREPARED_READS and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
# PostgreSQL only: a psycopg pool of this many connections per process, shared by its threads,
# instead of one persistent connection per thread (0, the default: measured no faster here, see
# docs/configuration.md). Health checks then happen when a connection leaves the pool.
DB_POOL_SIZE = env.integer("DB_POOL_SIZE", 0, minimum=0)
if DB_POOL_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses a pool with persistent connections
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1, "max_size": DB_POOL_SIZE,
        "timeout": 10,  # seconds a request waits for a connection before failing
        "max_idle": 300,  # an idle connection above min_size is closed after five minutes
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# The cache holds what every process must see alike: rate-limit counters (core.throttling),
# allauth's login limits and its record of used TOTP codes. A per-process memory cache would give
# each web worker its own limits and let a one-time code work once per worker, so without Redis
# the cache is a table of the database (created by `migrate`, see core.apps), shared by every
# process of the install, the laptop's included.
REDIS_URL = env.url("REDIS_URL", schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # One clock at a time across machines: `citypocket clock` holds a lock in Redis.
    CRONTASK = {"REDIS_URL": REDIS_URL}
else:
    CACHES = {
        "default": {
            "BACKEND": "citypocket.core.cache.DatabaseCache",
            "LOCATION": "citypocket_cache",
            # Counters of one window for every client must fit: culling would forget live limits.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# --- Background tasks -----------------------------------------------------------------------
TASKS = {"default": {"BACKEND": env.text("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/ip,10/5m/key", "signup": "20/h/ip"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CityPocket"
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
STAFF_MFA_REQUIRED = env.flag("STAFF_MFA_REQUIRED", True)

# Django 6.1 mailers. EMAIL_URL-style pieces keep the table in docs/configuration.md short.
_mail_backend = env.text(
    "EMAIL_BACKEND",
    "citypocket.core.mailconsole.ReadableConsoleBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
_smtp = {
    "host": env.text("EMAIL_HOST", "localhost"),
    "port": env.integer("EMAIL_PORT", 25, minimum=1, maximum=65535),
    "username": env.text("EMAIL_HOST_USER") or None,
    "password": env.text("EMAIL_HOST_PASSWORD") or None,
    "use_tls": env.flag("EMAIL_USE_TLS", False),
}
_mail_options = _smtp if _mail_backend.endswith("smtp.EmailBackend") else {}
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", "CityPocket <no-reply@citypocket.localhost>")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# Numbers are grouped where a template asks for it (intcomma, floatformat:"g"); French groups digits with
# a narrow no-break space (citypocket/formats/fr). Years and ids stay ungrouped.
FORMAT_MODULE_PATH = ["citypocket.formats"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.text("STATIC_ROOT", str(PROJECT_DIR / "staticfiles")))
STATICFILES_DIRS = []
try:  # Leaflet comes from the xstatic-leaflet package at install time, never copied in the repo.
    import xstatic.pkg.leaflet as _leaflet

    STATICFILES_DIRS.append(("leaflet", _leaflet.BASE_DIR))
except ImportError:  # pragma: no cover - the lockfile installs it
    pass
# collectstatic always writes a gzip copy of each text file beside it (and brotli when the package is
# there); WhiteNoise sends the compressed copy to browsers that accept it. The page budget (100 KB per
# first load, docs/operations.md) counts on it: Leaflet alone is 147 KB plain, 43 KB gzipped.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.flag("STATIC_MANIFEST", not DEBUG)
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
# Files found in the apps' folders at each request (edits show at once, uncompressed) or only the
# collected, compressed copies in STATIC_ROOT: `citypocket run` collects then serves the latter.
WHITENOISE_USE_FINDERS = env.flag("STATIC_FROM_FINDERS", DEBUG)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns at start-up when it is missing
MEDIA_ROOT = Path(env.text("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# --- Security -------------------------------------------------------------------------------
# A strict policy: no inline script or style without the per-request nonce, no third-party
# origin except the map tile servers.
MAP_TILE_ORIGINS = env.items("MAP_TILE_ORIGINS", "https://tile.openstreetmap.org")
for _origin in MAP_TILE_ORIGINS:
    if not is_url(_origin):
        raise env.error("MAP_TILE_ORIGINS", "comma-separated origins such as https://tile.openstreetmap.org", _origin)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", *MAP_TILE_ORIGINS],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "worker-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
# The browser features a page may use (core.middleware.PermissionsPolicyMiddleware): the position
# for "near me" and the parking search, nothing else.
PERMISSIONS_POLICY = {
    "geolocation": ("self",),
    "fullscreen": ("self",),
    **dict.fromkeys(
        ("accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "gyroscope",
         "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment", "picture-in-picture",
         "screen-wake-lock", "serial", "usb", "xr-spatial-tracking"),
        (),
    ),
}
_ssl_redirect = env.flag("SECURE_SSL_REDIRECT", True)
_hsts = (
    env.integer("SECURE_HSTS_SECONDS", 31_536_000, minimum=0),
    env.flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", True),
    env.flag("SECURE_HSTS_PRELOAD", True),
)
if not DEBUG:
    SECURE_SSL_REDIRECT = _ssl_redirect
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS, SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD = _hsts
BEHIND_TLS_PROXY = env.flag("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The client address (rate limits, allauth's login limits) comes from X-Forwarded-For only when
# proxies are declared: with N trusted proxies, the Nth address from the right is the one the
# outermost of them saw; anything further left was written by the client and is ignored. Without a
# declared proxy, REMOTE_ADDR. The TLS proxy above is trusted at depth 1 unless told otherwise.
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0, minimum=0, maximum=10)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# --- API ------------------------------------------------------------------------------------
NINJA_PAGINATION_CLASS = "citypocket.core.pagination.LimitOffset"
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
# Rates are "count/period" strings (citypocket.environment.parse_rate), checked here and counted by
# core.throttling in the shared cache.
API_READ_RATE = env.rate("API_READ_RATE", "1200/min")
API_WRITE_RATE = env.rate("API_WRITE_RATE", "60/min")

# A web process reuses the cities it looked up for this many seconds (0 = read at every request);
# a change made in another process shows within them.
CITY_CACHE_SECONDS = env.integer("CITY_CACHE_SECONDS", 60, minimum=0)
# The tiles of a city home (live values of each capability) are reused for this many seconds per
# web process (0 = computed at every request).
HOME_TILE_CACHE_SECONDS = env.integer("HOME_TILE_CACHE_SECONDS", 5, minimum=0)

# --- Processes (`citypocket run`) -----------------------------------------------------------
WEB_HOST = env.text("HOST", "127.0.0.1")
WEB_PORT = env.integer("PORT", 8000, minimum=1, maximum=65535)
# Web processes and how each answers (docs/operations.md, "Serving"): one request at a time per
# process (WEB_THREADS=1, the default: each takes the next connection from the listening socket's one
# queue), or WEB_THREADS threads keeping connections alive for WEB_KEEPALIVE seconds, while a process
# holds no more connections than threads (core/serverworker.py); 0 answers each with `Connection: close`.
# Processes: one more than the CPUs this process may use (at most 8), so that a CPU is not left idle while
# a process waits for the database or streams an export.
_CPUS = (os.process_cpu_count() if hasattr(os, "process_cpu_count") else os.cpu_count()) or 1
WEB_WORKERS = env.integer("WEB_WORKERS", min(_CPUS + 1, 8), minimum=1)
WEB_THREADS = env.integer("WEB_THREADS", 1, minimum=1)
WEB_KEEPALIVE = env.integer("WEB_KEEPALIVE", 5, minimum=0)

# --- Sensor engine and demo (docs/sensors.md) -------------------------------------------------
SIMULATOR = env.flag("SIMULATOR", True)
SIMULATOR_INTERVAL = env.integer("SIMULATOR_INTERVAL", 60, minimum=1)
INGEST_MAX_BYTES = env.integer("INGEST_MAX_BYTES", 5 * 1024 * 1024, minimum=1)
INGEST_RATE = env.rate("INGEST_RATE", "600/min")
MQTT_URL = env.url("MQTT_URL", schemes=("mqtt", "mqtts", "tcp", "ssl"))  # as sensors.mqtt parses it
# One fixed client id per replica: the broker keeps its persistent session (and queued messages).
MQTT_CLIENT_ID = env.text("MQTT_CLIENT_ID") or f"citypocket-ingest-{socket.gethostname()}"[:64]
MQTT_TOPIC = env.text("MQTT_TOPIC", "$share/citypocket/citypocket/+/#")
MQTT_SESSION_EXPIRY = env.integer("MQTT_SESSION_EXPIRY", 3600, minimum=0)
MQTT_RECEIVE_MAXIMUM = env.integer("MQTT_RECEIVE_MAXIMUM", 65535, minimum=1, maximum=65535)
MQTT_BULK_ACKS = env.choice("MQTT_BULK_ACKS", "on", ("on", "off"))
INGEST_BATCH_SIZE = env.integer("INGEST_BATCH_SIZE", 500, minimum=1)
INGEST_BATCH_MS = env.integer("INGEST_BATCH_MS", 200, minimum=1)
INGEST_QUEUE_SIZE = env.integer("INGEST_QUEUE_SIZE", 5000, minimum=1)
# Months of raw observations kept (whole monthly partitions on PostgreSQL); 0 keeps them all.
OBSERVATION_RETENTION_MONTHS = env.integer("OBSERVATION_RETENTION_MONTHS", 0, minimum=0)


def _sensor_feeds() -> list[dict]:
    """SENSOR_FEEDS: a list of feed objects, each with its city, mapping and where to poll."""
    feeds = env.json("SENSOR_FEEDS", [], expected=list, what="a list of feed objects")
    needs = {"opendatasoft": ("city", "mapping", "base_url", "dataset"), "json": ("city", "mapping", "url")}
    for index, feed in enumerate(feeds):
        kind = feed.get("kind", "opendatasoft") if isinstance(feed, dict) else None
        if (kind not in needs or any(feed.get(key) in (None, "") for key in needs[kind])
                or not isinstance(feed["mapping"], dict) or not is_url(feed.get("base_url") or feed.get("url"))):
            raise env.error("SENSOR_FEEDS", f"a list of feed objects; feed {index} needs kind opendatasoft (city, "
                            "mapping, base_url, dataset) or json (city, mapping, url), an http(s) URL and a mapping "
                            "object")
    return feeds


SENSOR_FEEDS = _sensor_feeds()

# --- Air quality (docs/air.md) ----------------------------------------------------------------
AIR_ATMO_FEEDS = env.json("AIR_ATMO_FEEDS", {}, expected=dict, what='an object of feed URLs by city slug, '
                          '{"rouen": "https://…"}')
if not all(isinstance(slug, str) and is_url(url) for slug, url in AIR_ATMO_FEEDS.items()):
    raise env.error("AIR_ATMO_FEEDS", 'an object of http(s) feed URLs by city slug, {"rouen": "https://…"}')
# --- Official feeds (docs/officialfeeds.md): no network read unless a URL is set ---------------
OFFICIALFEEDS_VIGIEAU_URL = env.url("OFFICIALFEEDS_VIGIEAU_URL")
OFFICIALFEEDS_VIGILANCE_URL = env.url("OFFICIALFEEDS_VIGILANCE_URL")
OFFICIALFEEDS_VIGILANCE_API_KEY = env.text("OFFICIALFEEDS_VIGILANCE_API_KEY")
# Harvest sources on a private network (loopback, RFC 1918, link-local): off, so that a source URL
# cannot make the server read its own network (opendata.harvesting.sources).
OPENDATA_HARVEST_PRIVATE_NETWORKS = env.flag("OPENDATA_HARVEST_PRIVATE_NETWORKS", False)
WEBPUSH_VAPID_PRIVATE_KEY = env.text("WEBPUSH_VAPID_PRIVATE_KEY")
WEBPUSH_VAPID_SUBJECT = env.text("WEBPUSH_VAPID_SUBJECT")
if WEBPUSH_VAPID_SUBJECT and not WEBPUSH_VAPID_SUBJECT.startswith(("mailto:", "https://")):
    raise env.error("WEBPUSH_VAPID_SUBJECT", "a mailto: or https:// address", WEBPUSH_VAPID_SUBJECT)
SITE_URL = env.url("SITE_URL")

# --- Notifications and city alerts (docs/notifications.md) ---------------------------------------
# Deliveries per sending task (a large fan-out is split in tasks that several workers share), and
# pushes sent at once by one task (network-bound: threads overlap the waits for the push services).
NOTIFICATIONS_BATCH_SIZE = env.integer("NOTIFICATIONS_BATCH_SIZE", 500, minimum=1, maximum=10000)
NOTIFICATIONS_SEND_THREADS = env.integer("NOTIFICATIONS_SEND_THREADS", 8, minimum=1, maximum=64)

# The one address search (cityinfo.addresses): an addok service (on Redis, loaded from the national
# address base) when set, e.g. http://127.0.0.1:7878; otherwise the embedded search in the database.
ADDRESS_SEARCH_ADDOK_URL = env.url("ADDRESS_SEARCH_ADDOK_URL")

# --- Mobility (docs/mobility.md) --------------------------------------------------------------
# A car park without a reading for this long is `stale`: no number is shown, status unknown.
MOBILITY_STALE_MINUTES = env.integer("MOBILITY_STALE_MINUTES", 15, minimum=1)
# Free share under which an open car park is `almost_full` (10 %).
MOBILITY_ALMOST_FULL_SHARE = env.number("MOBILITY_ALMOST_FULL_SHARE", 0.10, minimum=0, maximum=1)
# A counting point without a reading for this long gives no congestion state.
MOBILITY_TRAFFIC_STALE_MINUTES = env.integer("MOBILITY_TRAFFIC_STALE_MINUTES", 15, minimum=1)
# The edge cache of the public list, search and traffic answers (seconds; 0 = off). The answers
# are already public for 30 s (Cache-Control); this only spares the database under load.
MOBILITY_RESPONSE_CACHE_SECONDS = env.integer("MOBILITY_RESPONSE_CACHE_SECONDS", 5, minimum=0)

# --- City information (docs/cityinfo.md) -----------------------------------------------------
# Uploaded images: refused above this many bytes, and above this many pixels (read from the file's
# header before anything is decoded: a small PNG can declare a picture that takes gigabytes).
CITYINFO_IMAGE_MAX_BYTES = env.integer("CITYINFO_IMAGE_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
CITYINFO_IMAGE_MAX_PIXELS = env.integer("CITYINFO_IMAGE_MAX_PIXELS", 40_000_000, minimum=10_000)

# --- Safety (docs/safety.md) ------------------------------------------------------------------
# Fernet keys of the report fields, first = current. Without them a DEBUG install derives a
# development key from SECRET_KEY (safety.crypto warns); production refuses to start, so that no
# production row is ever encrypted with a key derived from something else.
SAFETY_ENCRYPTION_KEYS = env.items("SAFETY_ENCRYPTION_KEYS")
if not SAFETY_ENCRYPTION_KEYS and not DEBUG:
    raise ImproperlyConfigured(
        "SAFETY_ENCRYPTION_KEYS must be set when DEBUG is off (comma-separated Fernet keys). "
        "See docs/configuration.md."
    )
try:
    from cryptography.fernet import Fernet

    for _key in SAFETY_ENCRYPTION_KEYS:
        Fernet(_key)
except (ValueError, TypeError):  # never echo a key
    raise env.error("SAFETY_ENCRYPTION_KEYS", "comma-separated Fernet keys (Fernet.generate_key())") from None
SAFETY_RECEIPT_PEPPER = env.text("SAFETY_RECEIPT_PEPPER")
SAFETY_REPORT_RATE = env.rate("SAFETY_REPORT_RATE", "5/h")
SAFETY_FOLLOW_RATE = env.rate("SAFETY_FOLLOW_RATE", "30/h")
# Minimum reports of a published hotspot cell (safety.hotspots); below 5 a cell could single people out.
SAFETY_HOTSPOT_K = env.integer("SAFETY_HOTSPOT_K", 11, minimum=5)

# --- Logging --------------------------------------------------------------------------------
# JSON lines on stdout. Request logs carry the route pattern, never the query string, the
# client address or the user: see core.middleware.RequestLogMiddleware.
LOG_LEVEL = env.choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
# `text` (one short line per record, for a person at a terminal) is what `citypocket run` sets in laptop mode.
LOG_FORMAT = env.choice("LOG_FORMAT", "json", ("json", "text"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
        "text": {"()": "citypocket.core.logs.ReadableFormatter"},
    },
    "filters": {
        "client_errors": {"()": "citypocket.core.logs.ClientErrorFilter"},
        "task_once": {"()": "citypocket.core.logs.TaskOnceFilter"},
    },
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["client_errors"]}},
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default console handler (DEBUG only) would print every django.* record a second time.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # Each task once: its outcome, not also its start.
        "django.tasks": {"filters": ["task_once"]},
        # The clock's scheduler reports every job it adds and each 5-second lock renewal.
        "apscheduler": {"level": "WARNING"},
        # Django's own request logger repeats the full path (query string included) on 4xx/5xx.
        "django.request": {"handlers": [], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
        "django.security.DisallowedHost": {"handlers": [], "propagate": False},
    },
}

# --- FranceConnect --------------------------------------------------------------------------
# Sign-in with FranceConnect (OpenID Connect, allauth provider in citypocket/accounts/franceconnect).
# Off unless FRANCECONNECT_CLIENT_ID is set: no button, and its URLs answer 404. docs/accounts.md.
FRANCECONNECT_CLIENT_ID = env.text("FRANCECONNECT_CLIENT_ID")
FRANCECONNECT_SECRET = env.text("FRANCECONNECT_SECRET")
# The issuer (its /.well-known/openid-configuration is read); default: the integration platform.
FRANCECONNECT_SERVER_URL = env.url("FRANCECONNECT_SERVER_URL", "https://fcp-low.integ01.dev-franceconnect.fr/api/v2")
FRANCECONNECT_EIDAS_LEVEL = env.choice("FRANCECONNECT_EIDAS_LEVEL", "eidas1", ("eidas1", "eidas2", "eidas3"))
if FRANCECONNECT_CLIENT_ID and not FRANCECONNECT_SECRET:
    raise ImproperlyConfigured("FRANCECONNECT_SECRET must be set with FRANCECONNECT_CLIENT_ID.")
SOCIALACCOUNT_ADAPTER = "citypocket.accounts.franceconnect.adapter.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "franceconnect": {
        "APPS": [
            {
                "name": "FranceConnect",
                "client_id": FRANCECONNECT_CLIENT_ID,
                "secret": FRANCECONNECT_SECRET,
                "settings": {"server_url": FRANCECONNECT_SERVER_URL, "eidas_level": FRANCECONNECT_EIDAS_LEVEL},
            }
        ]
        if FRANCECONNECT_CLIENT_ID
        else [],
    },
}
SOCIALACCOUNT_STORE_TOKENS = False  # access tokens are used once at sign-in, never stored
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never join an existing account on a matching e-mail alone
if FRANCECONNECT_CLIENT_ID:
    # The sign-in and sign-out forms post to CityPocket, which redirects to FranceConnect: browsers
    # apply form-action to that redirect.
    from urllib.parse import urlsplit

    _franceconnect = urlsplit(FRANCECONNECT_SERVER_URL)
    SECURE_CSP["form-action"] = [*SECURE_CSP["form-action"], f"{_franceconnect.scheme}://{_franceconnect.netloc}"]

# --- Sign-in defence and sessions (docs/accounts.md) ------------------------------------------
# django-axes counts failed passwords in the database (shared by every process): per account, per
# client address and per known device, each with its own budget over AXES_COOLOFF_TIME. Addresses
# and devices are stored as pseudonyms only (citypocket.accounts.defence).
INSTALLED_APPS += ["axes", "allauth.usersessions"]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", *AUTHENTICATION_BACKENDS]
MIDDLEWARE += [
    "citypocket.accounts.middleware.SessionActivityMiddleware",
    "citypocket.accounts.middleware.KnownDeviceMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a refused sign-in into the lockout page
]
SIGNIN_FAILURE_LIMITS = {"account": 10, "address": 50, "device": 5}  # failures per AXES_COOLOFF_TIME
SIGNIN_STAFF_ALERT_FAILURES = 5  # a staff account is e-mailed at this many failures, and when locked
KNOWN_DEVICE_COOKIE_AGE = 180 * 24 * 3600
AXES_HANDLER = "citypocket.accounts.defence.SignInDefenceHandler"
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_FAILURE_LIMIT = "citypocket.accounts.defence.failure_limit"
AXES_LOCKOUT_PARAMETERS = "citypocket.accounts.defence.lockout_parameters"
AXES_USERNAME_CALLABLE = "citypocket.accounts.defence.login_key"
AXES_CLIENT_IP_CALLABLE = "citypocket.accounts.defence.address_key"  # resolves with TRUSTED_PROXY_COUNT
AXES_LOCKOUT_CALLABLE = "citypocket.accounts.defence.lockout_response"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # refused attempts do not prolong a lock
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are the person's sessions (usersessions), not a log
AXES_ENABLE_ADMIN = False  # unlock with `citypocket axes_reset_username <e-mail>`
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "login", "email", "csrfmiddlewaretoken"]
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # one masked line per failure; no INFO chatter
# allauth sees the same pseudonym as its client address (rate limits, sessions) and leaves failed
# passwords to axes; its login_failed limit keeps guarding the second-factor step, per account.
ACCOUNT_ADAPTER = "citypocket.accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS["login_failed"] = "10/5m/key"
USERSESSIONS_TRACK_ACTIVITY = True  # "last seen", written at most every 5 minutes per session
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Hashes made before Argon2 still verify, and are rehashed with Argon2 at the next sign-in.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# --- Audit log of the back office (docs/audit.md) ----------------------------------------------
# django-auditlog writes citypocket.audit's entries: staff changes made in the back office only,
# with the city, masked personal text, no client address; append-only. Its middleware runs after
# the session-activity one (the "last seen" of a session is not a staff action).
INSTALLED_APPS += ["auditlog", "citypocket.audit"]  # in this order: the audit admin replaces auditlog's
MIDDLEWARE.insert(MIDDLEWARE.index("axes.middleware.AxesMiddleware"),
                  "citypocket.audit.middleware.BackOfficeAuditMiddleware")
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"
# Its own migrations would create the table of the model swapped out above, empty but holding
# foreign keys to accounts (PostgreSQL then refuses to TRUNCATE the accounts in a flush).
MIGRATION_MODULES = {"auditlog": None}
AUDITLOG_DISABLE_REMOTE_ADDR = True
AUDITLOG_CID_HEADER = None  # no correlation id read from the client's headers
AUDITLOG_MASK_CALLABLE = "citypocket.audit.rules.mask"

# --- The short middleware chain of anonymous API reads (core.middleware.AnonymousAPIReadMiddleware) ---
# A GET or HEAD under /api/ without cookie or credentials skips the middlewares that only serve a
# person or a page; every other middleware (headers, CSP, language, logs, guards, sessions, CSRF,
# personal answers) runs as for any request. Measured: docs/api.md ("The hot reads").
ANONYMOUS_API_SKIPS = {
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "citypocket.accounts.middleware.StaffMFARequiredMiddleware",
    "citypocket.accounts.middleware.SessionActivityMiddleware",
    "citypocket.accounts.middleware.KnownDeviceMiddleware",
    "citypocket.audit.middleware.BackOfficeAuditMiddleware",
    "axes.middleware.AxesMiddleware",
}
ANONYMOUS_API_MIDDLEWARE = [path for path in MIDDLEWARE[1:] if path not in ANONYMOUS_API_SKIPS]
