"""Backing up and restoring an install: what the `backup` and `restore` commands call."""

import os
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import django
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader

import citypocket
from citypocket.core.backups import databases
from citypocket.core.backups.archive import (
    DATABASE_MEMBERS,
    FORMAT,
    FORMAT_VERSION,
    MEDIA_PREFIX,
    BackupError,
    Say,
    add_file,
    add_manifest,
    extract,
    list_media_files,
    media_target,
    open_archive,
    read_manifest,
    silent,
    verify_members,
)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    media_files: int
    notes: list[str] = field(default_factory=list)  # schema differences the operator must act on


def default_backup_path() -> Path:
    """A new archive name under var/backups/, timestamped in UTC."""
    return Path(settings.VAR_DIR) / "backups" / f"citypocket-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.tar"


def create_backup(
    *, output: Path, using: str = DEFAULT_DB_ALIAS, include_media: bool = True, say: Say = silent
) -> BackupResult:
    """Writes the database `using` (and the media files) to a new archive at `output`.

    The archive is written under a temporary name next to `output`, readable by its owner only
    (it holds personal data), and renamed once complete: an interrupted backup leaves no
    half-written archive behind.
    """
    connection = connections[using]
    engine = databases.get_engine(connection)
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} already exists: choose another path.")
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if include_media and output.parent.resolve().is_relative_to(media_root):
        raise BackupError(f"{output} is inside MEDIA_ROOT ({media_root}), which the archive holds: write it elsewhere.")
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)

    with tempfile.TemporaryDirectory(prefix=".citypocket-backup-", dir=output.parent) as scratch:
        dump = Path(scratch) / DATABASE_MEMBERS[engine]
        say(f"dumping the {engine} database {connection.settings_dict['NAME']}")
        if engine == "postgresql":
            database = databases.dump_postgresql(connection, dump)
        else:
            database = databases.dump_sqlite(connection, dump)
        migrations = databases.list_applied_migrations(connection)

        partial = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, then renamed or removed)
            dir=output.parent, prefix=f".{output.name}.", suffix=".partial", delete=False
        )
        try:
            with tarfile.open(fileobj=partial, mode="w", format=tarfile.PAX_FORMAT) as tar:
                database |= {"member": DATABASE_MEMBERS[engine], **add_file(tar, dump, DATABASE_MEMBERS[engine])}
                media = []
                if include_media:
                    for relative, path in list_media_files(media_root, say):
                        media.append({"path": relative, **add_file(tar, path, MEDIA_PREFIX + relative)})
                        say(f"media {relative}")
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "citypocket_version": citypocket.__version__,
                    "django_version": django.get_version(),
                    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "database": database,
                    "migrations": migrations,
                    "media": {"included": include_media, "files": media},
                }
                add_manifest(tar, manifest)
            partial.flush()
            os.fsync(partial.fileno())
            partial.close()
            os.replace(partial.name, output)
        except BaseException:
            partial.close()
            Path(partial.name).unlink(missing_ok=True)
            raise
    return BackupResult(path=output, manifest=manifest)


def verify_backup(*, archive: Path, say: Say = silent) -> dict:
    """Reads the whole archive and checks every member against the manifest; returns the manifest."""
    with open_archive(Path(archive)) as tar:
        manifest = read_manifest(tar)
        verify_members(tar, manifest, say)
    return manifest


def restore_backup(
    *, archive: Path, using: str = DEFAULT_DB_ALIAS, include_media: bool = True, force: bool = False, say: Say = silent
) -> RestoreResult:
    """Restores an archive into the database `using` and MEDIA_ROOT.

    Refuses a database that holds tables, or a media directory that holds files, unless `force`,
    and checks every member's checksum before anything is written. The PostgreSQL restore runs in
    one transaction: when it fails, the database is left as it was.
    """
    connection = connections[using]
    engine = databases.get_engine(connection)
    archive = Path(archive)
    media_root = Path(settings.MEDIA_ROOT)
    with open_archive(archive) as tar:
        manifest = read_manifest(tar)
        database = manifest["database"]
        if database["engine"] != engine:
            raise BackupError(
                f"{archive.name} holds a {database['engine']} database; the configured database is {engine}. "
                "Restore it into the same engine."
            )
        restore_media = include_media and manifest["media"]["included"]

        # Every check before any write: the target, the tools, then every checksum.
        tables = databases.compute_table_count(connection)
        if tables and not force:
            raise BackupError(
                f"The database {connection.settings_dict['NAME']} is not empty ({tables} tables): restore into an "
                "empty database, or pass --force to replace what it holds. Nothing was restored."
            )
        if restore_media and not force and any(path.is_file() for path in media_root.rglob("*")):
            raise BackupError(
                f"The media directory {media_root} holds files: restore into an empty directory, pass --force "
                "to overwrite the files the backup holds, or --no-media. Nothing was restored."
            )
        pg_restore = databases.find_pg_restore(manifest) if engine == "postgresql" else ""
        verify_members(tar, manifest, say)
        notes = _list_migration_notes(manifest)

        with tempfile.TemporaryDirectory(prefix="citypocket-restore-") as scratch:
            dump = Path(scratch) / database["member"]
            extract(tar, database["member"], dump, expected=database)
            say(f"restoring the {engine} database {connection.settings_dict['NAME']}")
            if engine == "postgresql":
                databases.restore_postgresql(connection, dump, pg_restore=pg_restore, clean=bool(tables))
            else:
                databases.restore_sqlite(connection, dump)

        restored = 0
        if restore_media:
            for entry in manifest["media"]["files"]:
                target = media_target(media_root, entry["path"])
                mode = settings.FILE_UPLOAD_PERMISSIONS
                extract(tar, MEDIA_PREFIX + entry["path"], target, expected=entry, mode=mode)
                restored += 1
                say(f"media {entry['path']}")
    return RestoreResult(manifest=manifest, media_files=restored, notes=notes)


def _list_migration_notes(manifest: dict) -> list[str]:
    """What the operator must do when the backup's schema and this code's migrations differ."""
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    in_backup = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    notes = []
    unknown = sorted(in_backup - on_disk)
    if unknown:
        listed = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        notes.append(
            f"The backup was made by a newer CityPocket ({manifest.get('citypocket_version')}), with migrations "
            f"unknown here ({listed}{', …' if len(unknown) > 5 else ''}): upgrade CityPocket before starting it."
        )
    if on_disk - in_backup:
        notes.append("This CityPocket has migrations the backup lacks: run `citypocket migrate`.")
    return notes
