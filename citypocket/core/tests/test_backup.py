"""Backups: an archive restores into an empty database and media directory with every row and file.

Runs on the configured engine (SQLite or PostgreSQL). The restore goes into a second database of the
same engine, registered as the `restore` alias for the test: a file under the test's temporary
directory, or a scratch PostgreSQL database `<test database>_restore` dropped afterwards.
"""

import copy
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend

import citypocket
from citypocket.cities.models import City
from citypocket.participation.models import Meeting, MeetingDocument

pytestmark = pytest.mark.django_db(transaction=True)

RESTORE = "restore"
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL client tools")
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite online backup")


@pytest.fixture
def restore_database(tmp_path):
    """An empty database of the configured engine, as the `restore` alias; dropped after the test."""
    config = copy.deepcopy(connection.settings_dict)
    if connection.vendor == "postgresql":
        config["NAME"] = f"{connection.settings_dict['NAME']}_restore"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')  # left by an interrupted run
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    else:
        config["NAME"] = str(tmp_path / "restored.sqlite3")
    # A connection made outside settings.DATABASES: Django's test case lets such connections through.
    wrapper = load_backend(config["ENGINE"]).DatabaseWrapper(config, RESTORE)
    connections[RESTORE] = wrapper
    yield RESTORE
    wrapper.close()
    del connections[RESTORE]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')


def back_up(path: Path, **options) -> Path:
    call_command("backup", output=path, stdout=io.StringIO(), **options)
    return path


def restore(archive: Path, **options) -> str:
    out = io.StringIO()
    call_command("restore", str(archive), database=RESTORE, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def table_fingerprints(alias: str) -> dict[str, tuple[int, str]]:
    """Row count and a SHA-256 of every row's values, per table of every installed model."""
    fingerprints = {}
    models = [*apps.get_models(include_auto_created=True), MigrationRecorder.Migration]
    for model in models:
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [field.attname for field in model._meta.concrete_fields]
        digest = hashlib.sha256()
        count = 0
        for row in model._base_manager.using(alias).order_by("pk").values_list(*columns):
            digest.update(repr(row).encode())
            count += 1
        fingerprints[model._meta.db_table] = (count, digest.hexdigest())
    return fingerprints


def media_files(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def table_count(alias: str) -> int:
    return len(connections[alias].introspection.table_names())


def test_backup_then_restore_into_an_empty_database_finds_every_row_and_file(settings, tmp_path, restore_database):
    """Demo data and uploaded files come back identical: every row of every table, every byte of every file."""
    call_command("load_demo", stdout=io.StringIO())
    meeting = Meeting.objects.first()
    MeetingDocument.objects.create(
        meeting=meeting, title="Ordre du jour", file=ContentFile(b"%PDF-1.7\n" + bytes(range(256)) * 40, name="odj.pdf")
    )
    extra = Path(settings.MEDIA_ROOT) / "participation" / "délibérations" / "séance 1.txt"
    extra.parent.mkdir(parents=True)
    extra.write_bytes("Délibération n° 1\n".encode())
    original_media = media_files(Path(settings.MEDIA_ROOT))
    original_tables = table_fingerprints("default")

    archive = back_up(tmp_path / "backups" / "citypocket.tar")
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    assert table_count(RESTORE) == 0
    output = restore(archive)

    assert table_fingerprints(RESTORE) == original_tables
    assert sum(count for count, _ in original_tables.values()) > 10_000
    assert sum(1 for count, _ in original_tables.values() if count) > 25
    assert media_files(Path(settings.MEDIA_ROOT)) == original_media
    # the two written here, and the demo's pictures (budget projects) with their resized variants
    assert "participation/délibérations/séance 1.txt" in original_media and len(original_media) > 2
    assert f"media files: {len(original_media)}" in output
    # Sequences (PostgreSQL) and AUTOINCREMENT counters (SQLite) come back too: new rows get new ids.
    highest = ContentType.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert ContentType.objects.db_manager(RESTORE).create(app_label="backups", model="after_restore").pk > highest


def test_archive_manifest_describes_the_database_migrations_and_files(settings, tmp_path, rouen):
    """The manifest names the format, versions, engine, applied migrations and each file's size and checksum."""
    document = Path(settings.MEDIA_ROOT) / "doc.pdf"
    document.parent.mkdir(parents=True)
    document.write_bytes(b"%PDF-1.7 compte rendu")

    archive = back_up(tmp_path / "citypocket.tar")

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
        database = tar.extractfile(manifest["database"]["member"]).read()
    assert names[-1] == "manifest.json"
    assert manifest["format"] == "citypocket-backup"
    assert manifest["format_version"] == 1
    assert manifest["citypocket_version"] == citypocket.__version__
    assert manifest["database"]["engine"] == connection.vendor
    assert manifest["database"]["sha256"] == hashlib.sha256(database).hexdigest()
    assert manifest["database"]["size"] == len(database)
    assert "0001_initial" in manifest["migrations"]["cities"]
    assert manifest["media"] == {
        "included": True,
        "files": [{"path": "doc.pdf", "size": 21, "sha256": hashlib.sha256(b"%PDF-1.7 compte rendu").hexdigest()}],
    }
    assert archive.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only


def test_backup_without_media_and_default_path_under_var_backups(settings, tmp_path):
    """--no-media leaves MEDIA_ROOT out; without --output the archive is timestamped under var/backups/."""
    settings.VAR_DIR = tmp_path / "var"
    (Path(settings.MEDIA_ROOT) / "doc.pdf").parent.mkdir(parents=True)
    (Path(settings.MEDIA_ROOT) / "doc.pdf").write_bytes(b"x")
    out = io.StringIO()

    call_command("backup", no_media=True, stdout=out)

    (archive,) = (tmp_path / "var" / "backups").iterdir()
    assert archive.name.startswith("citypocket-") and archive.suffix == ".tar"
    assert str(archive) in out.getvalue()
    with tarfile.open(archive) as tar:
        assert not [name for name in tar.getnames() if name.startswith("media/")]
        assert json.loads(tar.extractfile("manifest.json").read())["media"] == {"included": False, "files": []}


def test_backup_refuses_to_write_its_archive_inside_media_root(settings):
    """An archive inside MEDIA_ROOT would end up in the next backups: refused, nothing written."""
    target = Path(settings.MEDIA_ROOT) / "backups" / "citypocket.tar"

    with pytest.raises(CommandError, match="inside MEDIA_ROOT"):
        back_up(target)

    assert not target.parent.exists()


def test_restore_refuses_a_non_empty_database_or_media_directory_without_force(
    settings, tmp_path, restore_database, rouen
):
    """A target holding tables or files is refused, with nothing written; --force replaces it."""
    (Path(settings.MEDIA_ROOT) / "doc.pdf").parent.mkdir(parents=True)
    (Path(settings.MEDIA_ROOT) / "doc.pdf").write_bytes(b"from the backup")
    archive = back_up(tmp_path / "citypocket.tar")
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    stray = Path(settings.MEDIA_ROOT) / "doc.pdf"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"already here")

    with pytest.raises(CommandError, match=r"media directory .* holds files"):
        restore(archive)
    assert table_count(RESTORE) == 0

    restore(archive, no_media=True)
    City.objects.using(RESTORE).filter(slug="rouen").update(name="Changed after the restore")

    with pytest.raises(CommandError, match=r"is not empty \(\d+ tables\).*--force"):
        restore(archive, no_media=True)
    assert City.objects.using(RESTORE).get(slug="rouen").name == "Changed after the restore"
    assert stray.read_bytes() == b"already here"

    restore(archive, force=True)
    assert City.objects.using(RESTORE).get(slug="rouen").name == rouen.name
    assert stray.read_bytes() == b"from the backup"


@pytest.mark.parametrize("damage", ["media byte", "database byte", "truncated"])
def test_restore_refuses_a_damaged_archive_before_writing_anything(settings, tmp_path, restore_database, damage):
    """A flipped byte anywhere, or a cut archive, is refused: the database and media directory stay empty."""
    (Path(settings.MEDIA_ROOT) / "doc.pdf").parent.mkdir(parents=True)
    (Path(settings.MEDIA_ROOT) / "doc.pdf").write_bytes(b"%PDF-1.7 " * 100)
    archive = back_up(tmp_path / "citypocket.tar")
    with tarfile.open(archive) as tar:
        member = tar.getmember("media/doc.pdf" if damage == "media byte" else tar.getnames()[0])
    with archive.open("r+b") as stream:
        if damage == "truncated":
            stream.truncate(member.offset_data + member.size // 2)
        else:
            stream.seek(member.offset_data + member.size // 2)
            byte = stream.read(1)
            stream.seek(-1, os.SEEK_CUR)
            stream.write(bytes([byte[0] ^ 0xFF]))
    settings.MEDIA_ROOT = tmp_path / "restored-media"

    with pytest.raises(CommandError, match=r"damaged|incomplete|no manifest"):
        restore(archive)

    assert table_count(RESTORE) == 0
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*"))


def test_failed_backup_leaves_no_archive_behind(tmp_path, monkeypatch):
    """When writing fails half-way (here the disk fills at the manifest), no archive or temporary file remains."""

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("citypocket.core.backups.services.add_manifest", disk_full)
    directory = tmp_path / "backups"

    with pytest.raises(CommandError, match="No space left on device"):
        back_up(directory / "citypocket.tar")

    assert list(directory.iterdir()) == []


@on_sqlite
def test_sqlite_backup_runs_beside_an_open_write_transaction_and_keeps_committed_rows_only(
    tmp_path, restore_database, rouen
):
    """As while `citypocket run` writes: the backup neither waits for the writer nor copies its uncommitted rows."""
    writer = sqlite3.connect(connection.settings_dict["NAME"], timeout=0.1)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO django_content_type (app_label, model) VALUES ('backups', 'uncommitted')")
        archive = back_up(tmp_path / "citypocket.tar")
    finally:
        writer.rollback()
        writer.close()

    restore(archive)

    assert City.objects.using(RESTORE).filter(slug="rouen").exists()
    assert not ContentType.objects.using(RESTORE).filter(model="uncommitted").exists()


@on_postgresql
def test_backup_refuses_a_pg_dump_older_than_the_server(tmp_path, monkeypatch):
    """An old pg_dump first on PATH gives a clear error naming the client tools to install; no archive is written."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    server_major = connection.cursor().connection.info.server_version // 10000

    with pytest.raises(CommandError, match=f"older than the PostgreSQL {server_major}.*postgresql-client-{server_major}"):
        back_up(tmp_path / "backups" / "citypocket.tar")
    assert not (tmp_path / "backups" / "citypocket.tar").exists()


@on_postgresql
def test_backup_without_pg_dump_on_path_says_what_to_install(tmp_path, monkeypatch):
    """No pg_dump on PATH is a clear error, not a traceback."""
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(CommandError, match=r"pg_dump not found on PATH.*postgresql-client"):
        back_up(tmp_path / "citypocket.tar")


def test_restore_command_exits_non_zero_with_a_message_on_a_file_that_is_not_a_backup(tmp_path):
    """From the shell: exit status 1 and one clear line on stderr, no traceback."""
    not_a_backup = tmp_path / "notes.tar"
    not_a_backup.write_text("just text")

    result = subprocess.run(
        [sys.executable, "-m", "citypocket", "restore", str(not_a_backup)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"},
    )

    assert result.returncode == 1
    assert "is not a CityPocket backup" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()
