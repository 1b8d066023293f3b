"""`citypocket backup`: the database and the media files in one archive (docs/operations.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from citypocket.core.backups import BackupError, create_backup, default_backup_path


class Command(BaseCommand):
    help = (
        "Back up the database (PostgreSQL custom-format dump, or SQLite online backup) and the media files "
        "into one archive."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", type=Path,
            help="Archive to write, or an existing directory to write it in "
            "(default: var/backups/citypocket-<UTC time>.tar).",
        )
        parser.add_argument("--no-media", action="store_true", help="Leave the media files (MEDIA_ROOT) out.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias to back up.")
        parser.add_argument("-q", "--quiet", action="store_true", help="Print nothing but errors (as -v 0).")

    def handle(self, *args, output, no_media, database, quiet, verbosity, **options):
        verbosity = 0 if quiet else verbosity
        if output is None:
            output = default_backup_path()
        elif output.is_dir():
            output = output / default_backup_path().name
        say = self.stdout.write if verbosity >= 2 else lambda message: None
        try:
            result = create_backup(output=output, using=database, include_media=not no_media, say=say)
        except (BackupError, OSError) as exc:  # OSError: a full disk, a directory that cannot be written
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            manifest = result.manifest
            media = manifest["media"]
            files = f"media files: {len(media['files'])}" if media["included"] else "no media files (--no-media)"
            megabytes = result.path.stat().st_size / 1_000_000
            engine = manifest["database"]["engine"]
            self.stdout.write(f"backup written: {result.path} ({megabytes:.1f} MB; {engine} database, {files})")
