"""Settings once: every environment variable is read in settings.py, typed and checked at start-up,
documented in docs/configuration.md, and read nowhere else."""

import ast
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from citypocket.environment import Rate, parse_rate

PACKAGE = Path(__file__).resolve().parents[2]
SETTINGS = PACKAGE / "settings.py"
DOCS = PACKAGE.parent / "docs" / "configuration.md"
READERS = {"text", "flag", "choice", "integer", "number", "items", "rate", "url", "json"}
# Documented variables that the platform does not read: who reads them instead.
READ_ELSEWHERE = {"PYTHON": PACKAGE.parent / "scripts" / "find-python.sh"}


def documented_variables() -> set[str]:
    """The variables of every table of docs/configuration.md (first column, in backticks)."""
    names = set()
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", line.split("|")[1]))
    return names


def variables_read_by_settings() -> set[str]:
    """The first argument of every `env.<reader>("NAME", …)` call in settings.py, whatever branch it is in."""
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in READERS
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "env"):
            argument = node.args[0]
            assert isinstance(argument, ast.Constant), f"line {node.lineno}: name the variable literally"
            names.add(argument.value)
    return names


def load_settings(monkeypatch, **variables: str) -> dict:
    """settings.py run afresh with the documented variables unset but `variables`."""
    for name in documented_variables():
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS), run_name="citypocket.settings_under_test")


def test_every_documented_variable_is_read_and_every_read_variable_documented():
    """docs/configuration.md and settings.py name the same variables."""
    documented, read = documented_variables(), variables_read_by_settings()
    assert read, "no env reads found in settings.py"
    assert not read - documented, f"read but not documented: {sorted(read - documented)}"
    missing = documented - read - set(READ_ELSEWHERE)
    assert not missing, f"documented but never read: {sorted(missing)}"
    for name, path in READ_ELSEWHERE.items():
        assert name in documented and name in path.read_text(encoding="utf-8"), name


def test_the_names_recorded_at_start_up_are_those_found_in_the_source(monkeypatch):
    """The reader's own record agrees with the source scan (no variable read through another path)."""
    loaded = load_settings(monkeypatch)
    assert loaded["env"].names == variables_read_by_settings()


def test_no_module_but_settings_reads_the_environment():
    """Apps read django.conf.settings; only settings.py (through citypocket.environment) reads os.environ."""
    allowed = {
        "settings.py": "the one reader",
        "__main__.py": "DJANGO_SETTINGS_MODULE default",
        "wsgi.py": "DJANGO_SETTINGS_MODULE default",
        "core/management/commands/run.py": "hands its environment on to the processes it starts",
        "core/backups/databases.py": "hands its environment, plus libpq's connection variables, on to pg_dump/pg_restore",
    }
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if "/tests/" in f"/{relative}" or relative.endswith("conftest.py") or relative in allowed:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"os\.environ|os\.getenv|getenv\(|PYTEST_CURRENT_TEST", text):
            offenders.append(relative)
    assert offenders == []


def test_defaults_suit_a_laptop(monkeypatch):
    """With nothing set: DEBUG, SQLite, the database cache, the documented rates and no trusted proxy."""
    loaded = load_settings(monkeypatch)
    assert loaded["DEBUG"] is True
    assert loaded["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["CACHES"]["default"]["BACKEND"] == "citypocket.core.cache.DatabaseCache"
    assert (loaded["API_READ_RATE"], loaded["API_WRITE_RATE"], loaded["INGEST_RATE"]) == ("1200/min", "60/min", "600/min")
    assert (loaded["SAFETY_REPORT_RATE"], loaded["SAFETY_FOLLOW_RATE"], loaded["SAFETY_HOTSPOT_K"]) == ("5/h", "30/h", 11)
    assert loaded["TRUSTED_PROXY_COUNT"] == loaded["ALLAUTH_TRUSTED_PROXY_COUNT"] == 0
    assert loaded["SENSOR_FEEDS"] == [] and loaded["AIR_ATMO_FEEDS"] == {} and loaded["SAFETY_ENCRYPTION_KEYS"] == []
    cpus = (os.process_cpu_count() if hasattr(os, "process_cpu_count") else os.cpu_count()) or 1  # what it may use
    assert (loaded["WEB_HOST"], loaded["WEB_PORT"], loaded["WEB_WORKERS"]) == ("127.0.0.1", 8000, min(cpus + 1, 8))
    assert (loaded["WEB_THREADS"], loaded["WEB_KEEPALIVE"], loaded["DB_POOL_SIZE"]) == (1, 5, 0)
    assert "prepare_threshold" not in loaded["DATABASES"]["default"]["OPTIONS"]  # SQLite prepares nothing


def test_production_databases_keep_their_connections_or_pool_them(monkeypatch):
    """PostgreSQL keeps one checked connection per thread by default; DB_POOL_SIZE pools them per process."""
    url = "postgres://citypocket@db:5432/citypocket"
    default = load_settings(monkeypatch, DATABASE_URL=url)["DATABASES"]["default"]
    assert (default["CONN_MAX_AGE"], default["CONN_HEALTH_CHECKS"]) == (60, True)
    assert "pool" not in default.get("OPTIONS", {})
    pooled = load_settings(monkeypatch, DATABASE_URL=url, DB_POOL_SIZE="6")["DATABASES"]["default"]
    assert pooled["CONN_MAX_AGE"] == 0 and pooled["CONN_HEALTH_CHECKS"] is True
    assert pooled["OPTIONS"]["pool"]["max_size"] == 6 and pooled["OPTIONS"]["pool"]["min_size"] == 1
    sqlite = load_settings(monkeypatch, DB_POOL_SIZE="6")["DATABASES"]["default"]  # SQLite has no pool
    assert "pool" not in sqlite["OPTIONS"] and sqlite["CONN_MAX_AGE"] == 60


def test_postgresql_prepares_only_the_hot_reads_unless_told_not_to(monkeypatch):
    """psycopg's threshold is out of reach (only the hot reads, asked for, are prepared: core/prepared.py);
    DB_PREPARED_READS=off leaves Django's default, nothing prepared."""
    url = "postgres://citypocket@db:5432/citypocket"
    default = load_settings(monkeypatch, DATABASE_URL=url)["DATABASES"]["default"]
    assert default["OPTIONS"]["prepare_threshold"] >= 2**31 - 1
    off = load_settings(monkeypatch, DATABASE_URL=url, DB_PREPARED_READS="off")["DATABASES"]["default"]
    assert "prepare_threshold" not in off.get("OPTIONS", {})


def test_values_are_typed(monkeypatch):
    """Integers, decimals, booleans, lists and JSON come out typed."""
    loaded = load_settings(
        monkeypatch, MOBILITY_STALE_MINUTES="30", MOBILITY_ALMOST_FULL_SHARE="0.2", SIMULATOR="off",
        STAFF_MFA_REQUIRED="no", MAP_TILE_ORIGINS="https://a.example, https://b.example", PORT="9000",
        INGEST_MAX_BYTES="1000", MQTT_BULK_ACKS="OFF", LOG_LEVEL="warning",
        SENSOR_FEEDS='[{"city": "rouen", "kind": "json", "url": "https://feeds.example.org/a.json",'
                     ' "mapping": {"sensor": "station", "time": "at", "values": {"no2": ["no2", "mg/m3"]}}}]',
    )
    assert loaded["MOBILITY_STALE_MINUTES"] == 30 and loaded["MOBILITY_ALMOST_FULL_SHARE"] == 0.2
    assert loaded["SIMULATOR"] is False and loaded["STAFF_MFA_REQUIRED"] is False
    assert loaded["MAP_TILE_ORIGINS"] == ["https://a.example", "https://b.example"]
    assert loaded["WEB_PORT"] == 9000 and loaded["INGEST_MAX_BYTES"] == 1000
    assert loaded["MQTT_BULK_ACKS"] == "off" and loaded["LOG_LEVEL"] == "WARNING"
    assert loaded["SENSOR_FEEDS"][0]["url"] == "https://feeds.example.org/a.json"


def test_air_atmo_feeds_is_read_from_the_environment(monkeypatch):
    """AIR_ATMO_FEEDS, documented as an environment variable, reaches the setting the air app reads."""
    loaded = load_settings(monkeypatch, AIR_ATMO_FEEDS='{"rouen": "https://atmo.example.org/rouen?f=json"}')
    assert loaded["AIR_ATMO_FEEDS"] == {"rouen": "https://atmo.example.org/rouen?f=json"}


def test_air_atmo_feeds_of_the_environment_is_the_feed_of_the_city():
    """End to end, in a fresh process: the variable gives the city's official feed URL."""
    script = (
        "import django; django.setup()\n"
        "from citypocket.air.official import feed_url\n"
        "from citypocket.cities.models import City\n"
        "print(feed_url(City(slug='rouen')), feed_url(City(slug='aix-en-provence')) == '')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=PACKAGE.parent,
        env={**_clean_environ(), "DJANGO_SETTINGS_MODULE": "citypocket.settings",
             "AIR_ATMO_FEEDS": '{"rouen": "https://atmo.example.org/rouen?f=json"}'},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://atmo.example.org/rouen?f=json", "True"]


def _clean_environ() -> dict:
    import os

    return {name: value for name, value in os.environ.items() if name not in documented_variables()
            or name in {"DATABASE_URL", "CITYPOCKET_VAR_DIR"}}


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("MOBILITY_STALE_MINUTES", "fifteen", "an integer"),
        ("MOBILITY_STALE_MINUTES", "0", "an integer of at least 1"),
        ("PORT", "80000", "an integer from 1 to 65535"),
        ("MOBILITY_ALMOST_FULL_SHARE", "10%", "a decimal number"),
        ("DEBUG", "maybe", "a boolean"),
        ("API_WRITE_RATE", "60 per minute", "a count per period"),
        ("SAFETY_REPORT_RATE", "5/fortnight", "a count per period"),
        ("INGEST_RATE", "0/min", "a count per period"),
        ("SAFETY_HOTSPOT_K", "3", "an integer of at least 5"),
        ("SAFETY_HOTSPOT_K", "nonsense", "an integer"),
        ("SENSOR_FEEDS", "[{'city': 'rouen'}]", "a list of feed objects in JSON, which does not parse"),
        ("SENSOR_FEEDS", '{"city": "rouen"}', "a list of feed objects in JSON, not a dict"),
        ("SENSOR_FEEDS", '[{"city": "rouen", "kind": "json", "mapping": {}}]', "feed 0 needs"),
        ("AIR_ATMO_FEEDS", '{"rouen": ', "an object of feed URLs by city slug"),
        ("AIR_ATMO_FEEDS", '["https://atmo.example.org"]', "not a list"),
        ("AIR_ATMO_FEEDS", '{"rouen": "ftp://atmo.example.org"}', "http(s) feed URLs"),
        ("MQTT_BULK_ACKS", "sometimes", "one of on, off"),
        ("REDIS_URL", "cache:6379", "an absolute URL starting with redis://"),
        ("MAP_TILE_ORIGINS", "tile.openstreetmap.org", "comma-separated origins"),
        ("TRUSTED_PROXY_COUNT", "-1", "an integer from 0 to 10"),
        ("SAFETY_ENCRYPTION_KEYS", "not-a-fernet-key", "comma-separated Fernet keys"),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(monkeypatch, name, value, expected):
    """A value that does not parse is an ImproperlyConfigured naming the variable and what it expects."""
    with pytest.raises(ImproperlyConfigured) as error:
        load_settings(monkeypatch, **{name: value})
    message = str(error.value)
    assert message.startswith(f"{name} must be") and expected in message and "docs/configuration.md" in message


def test_secrets_are_never_echoed_in_errors(monkeypatch):
    """A bad key or database URL is reported without its value."""
    with pytest.raises(ImproperlyConfigured) as error:
        load_settings(monkeypatch, SAFETY_ENCRYPTION_KEYS="sup3r-s3cret")
    assert "sup3r-s3cret" not in str(error.value)
    with pytest.raises(ImproperlyConfigured) as error:
        load_settings(monkeypatch, DATABASE_URL="nosuchdb://user:hunter2@db/citypocket")
    assert "DATABASE_URL" in str(error.value) and "hunter2" not in str(error.value)


def test_production_needs_the_safety_keys(monkeypatch):
    """DEBUG off without SAFETY_ENCRYPTION_KEYS refuses to start (no report under a derived key)."""
    production = {"DEBUG": "false", "SECRET_KEY": "s" * 50, "ALLOWED_HOSTS": "citypocket.example.org"}
    with pytest.raises(ImproperlyConfigured, match="SAFETY_ENCRYPTION_KEYS must be set when DEBUG is off"):
        load_settings(monkeypatch, **production)
    from cryptography.fernet import Fernet

    keys = f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}"
    loaded = load_settings(monkeypatch, **production, SAFETY_ENCRYPTION_KEYS=keys)
    assert loaded["SAFETY_ENCRYPTION_KEYS"] == keys.split(",")


def test_the_trusted_proxy_depth_is_shared_with_allauth(monkeypatch):
    """One rule for the client address: TRUSTED_PROXY_COUNT is also allauth's; the TLS proxy counts as one."""
    assert load_settings(monkeypatch, TRUSTED_PROXY_COUNT="2")["ALLAUTH_TRUSTED_PROXY_COUNT"] == 2
    behind = load_settings(monkeypatch, BEHIND_TLS_PROXY="true")
    assert behind["TRUSTED_PROXY_COUNT"] == behind["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1
    assert load_settings(monkeypatch, BEHIND_TLS_PROXY="true", TRUSTED_PROXY_COUNT="0")["TRUSTED_PROXY_COUNT"] == 0


@pytest.mark.parametrize(
    ("text", "rate"),
    [("5/h", Rate(5, 3600)), ("600/min", Rate(600, 60)), ("30/hour", Rate(30, 3600)), ("100/15m", Rate(100, 900)),
     ("2/s", Rate(2, 1)), ("1000/day", Rate(1000, 86400)), (" 7 / 2h ", Rate(7, 7200))],
)
def test_parse_rate_reads_the_documented_forms(text, rate):
    """Counts per second, minute, hour or day, with an optional multiple of the period."""
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "5", "h/5", "5/fortnight", "0/h", "5/0h", "-1/h", "5.5/h"])
def test_parse_rate_refuses_anything_else(text):
    """No silent default: an unknown period or a count below 1 is an error."""
    with pytest.raises(ValueError, match="rate"):
        parse_rate(text)
