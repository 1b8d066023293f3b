"""Production settings pass Django's deployment checklist and fail loudly when incomplete."""

import os
import subprocess
import sys

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "Zq8!vR2#nW5$yT7%uP0^sL3&xM6*" + "j" * 20,
    "ALLOWED_HOSTS": "citypocket.example.org",
    "DATABASE_URL": "sqlite:////tmp/citypocket-deploy-check.sqlite3",
    "SAFETY_ENCRYPTION_KEYS": "0vR8mWbM0Lwq0bYqfR3yE6xU0c2oQx3d9gYk2m8b7zA=",
}


def run_citypocket(*args: str, env: dict) -> subprocess.CompletedProcess:
    unset = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SAFETY_ENCRYPTION_KEYS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "-m", "citypocket", *args], env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_no_warning_with_production_settings():
    """`citypocket check --deploy --fail-level WARNING` passes with production settings."""
    result = run_citypocket("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start():
    """DEBUG off and no SECRET_KEY is a loud configuration error, not a silent default."""
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_citypocket("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_without_safety_keys_refuses_to_start():
    """DEBUG off and no SAFETY_ENCRYPTION_KEYS stops the process at start-up, before any report is encrypted."""
    env = {**PRODUCTION_ENV, "SAFETY_ENCRYPTION_KEYS": ""}
    result = run_citypocket("check", env=env)
    assert result.returncode != 0
    assert "SAFETY_ENCRYPTION_KEYS must be set when DEBUG is off" in result.stderr


def test_a_malformed_variable_stops_the_process_with_its_name():
    """A typo in a deployment is a start-up error naming the variable, not a silent default."""
    result = run_citypocket("check", env={**PRODUCTION_ENV, "API_WRITE_RATE": "60 a minute"})
    assert result.returncode != 0
    assert "API_WRITE_RATE must be a count per period" in result.stderr


def test_production_cookies_are_secure_and_samesite():
    """With production settings the session, CSRF and language cookies are Secure and SameSite=Lax."""
    code = ("from django.conf import settings as s; print([(getattr(s, n + '_SECURE'), getattr(s, n + '_SAMESITE'))"
            " for n in ('SESSION_COOKIE', 'CSRF_COOKIE', 'LANGUAGE_COOKIE')])")
    result = run_citypocket("shell", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str([(True, "Lax")] * 3)
