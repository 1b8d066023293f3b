"""Backups of an install: the database and the media files in one archive, and restoring it.

The archive is an uncompressed tar. It holds the database — a PostgreSQL custom-format dump made by
`pg_dump`, or a copy of the SQLite file made with SQLite's online backup API, which reads one
consistent snapshot while `citypocket run` keeps writing (WAL) — then the files under MEDIA_ROOT,
and last `manifest.json`: format version, CityPocket version, engine, creation time, applied
migrations per app, and the size and SHA-256 of every member (a missing manifest therefore means a
truncated archive). A restore checks every checksum before it writes anything.

Secrets live in the environment and are never in the archive: without the same SECRET_KEY and
SAFETY_ENCRYPTION_KEYS the encrypted report details cannot be read after a restore
(docs/operations.md). `archive` is the file format, `databases` the two engines, `services` what
the `backup` and `restore` commands call.
"""

from citypocket.core.backups.archive import BackupError
from citypocket.core.backups.services import (
    BackupResult,
    RestoreResult,
    create_backup,
    default_backup_path,
    restore_backup,
    verify_backup,
)

__all__ = [
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "create_backup",
    "default_backup_path",
    "restore_backup",
    "verify_backup",
]
