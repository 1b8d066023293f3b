"""Encryption at rest: keys from settings, rotation, the development key of DEBUG installs, and no
plaintext in the database. (Production without a key refuses to start: core/tests/test_deploy.py.)"""

import base64
import datetime as dt

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from citypocket.safety import crypto, services
from citypocket.safety.models import HarassmentReport
from citypocket.safety.tests.conftest import file_report

pytestmark = pytest.mark.django_db


def test_encrypt_then_decrypt_gives_back_the_text(settings):
    """A Fernet token of the configured key decrypts to the original text; empty stays empty."""
    settings.SAFETY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = crypto.encrypt_text("rue des Carmes")
    assert token and "Carmes" not in token
    assert crypto.decrypt_text(token) == "rue des Carmes"
    assert crypto.encrypt_text("") == ""


def test_token_timestamp_is_the_start_of_the_month(settings):
    """Tokens carry the month's first second, not the arrival time of the report."""
    settings.SAFETY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = crypto.encrypt_text("x")
    stamp = int.from_bytes(base64.urlsafe_b64decode(token)[1:9], "big")
    now = timezone.now()
    assert stamp == int(now.replace(day=1, hour=0, minute=0, second=0, microsecond=0).timestamp())


def test_without_a_key_a_development_key_is_derived_with_a_warning(settings, caplog):
    """Without keys (only possible when DEBUG was on at start-up) a key is derived from SECRET_KEY, loudly."""
    settings.SAFETY_ENCRYPTION_KEYS = []
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    with caplog.at_level("WARNING"):
        token = crypto.encrypt_text("secret")
    assert Fernet(crypto.development_key()).decrypt(token.encode()) == b"secret"
    assert "DEVELOPMENT key" in caplog.text


def test_rotation_reencrypts_every_row_with_the_new_key(settings, rouen):
    """Prepend a key, run rotate_safety_keys, drop the old key: every report still decrypts."""
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SAFETY_ENCRYPTION_KEYS = [old]
    report = file_report(rouen, lat=49.4431, lon=1.0993, description="before rotation", contact="c@example.org")
    settings.SAFETY_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_safety_keys")
    settings.SAFETY_ENCRYPTION_KEYS = [new]
    report.refresh_from_db()
    assert crypto.decrypt_text(report.description_enc) == "before rotation"
    assert crypto.decrypt_text(report.contact_enc) == "c@example.org"
    assert crypto.decrypt_json(report.location_enc) == {"lat": 49.4431, "lon": 1.0993}


def test_database_columns_hold_no_plaintext(rouen):
    """A raw SQL read of the report table (a dump) shows no place, text, contact or exact time."""
    occurred = timezone.make_aware(dt.datetime(2026, 1, 5, 22, 17))
    submitted = services.submit_report(
        city=rouen, category="following", occurred_at=occurred, lat=49.44123, lon=1.09876,
        place_name="PlaintextPlace rue Jeanne-d'Arc", description="PlaintextStory he followed me",
        contact="plaintext.contact@example.org",
    )
    services.add_reporter_information(city=rouen, receipt_code=submitted.receipt_code, text="PlaintextAddition")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM safety_harassmentreport")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM safety_reportupdate")
        rows += cursor.fetchall()
    dump = " ".join(str(value) for row in rows for value in row)
    for secret in ("PlaintextPlace", "Jeanne", "PlaintextStory", "plaintext.contact", "49.44123", "1.09876",
                   "22:17", "PlaintextAddition", submitted.receipt_code, submitted.receipt_code.replace("-", "")):
        assert secret not in dump, secret
    assert HarassmentReport.objects.get().receipt_hash == crypto.hash_receipt(submitted.receipt_code)
