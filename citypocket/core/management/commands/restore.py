"""`citypocket restore`: a backup archive back into the configured database and MEDIA_ROOT."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from citypocket.core.backups import BackupError, restore_backup, verify_backup


class Command(BaseCommand):
    help = (
        "Restore a `citypocket backup` archive into the configured database (empty unless --force) and "
        "MEDIA_ROOT, after checking every checksum. Stop the platform first."
    )
    # The system checks open the database, which a restore may be about to create.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="Archive written by `citypocket backup`.")
        parser.add_argument(
            "--force", action="store_true",
            help="Restore into a database that holds tables (replacing the objects the backup holds) and over "
            "existing media files.",
        )
        parser.add_argument("--no-media", action="store_true", help="Restore the database only.")
        parser.add_argument(
            "--verify-only", action="store_true", help="Check the archive's checksums and stop; write nothing."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias to restore into.")
        parser.add_argument("-q", "--quiet", action="store_true", help="Print nothing but errors (as -v 0).")

    def handle(self, *args, archive, force, no_media, verify_only, database, quiet, verbosity, **options):
        verbosity = 0 if quiet else verbosity
        say = self.stdout.write if verbosity >= 2 else lambda message: None
        try:
            if verify_only:
                manifest = verify_backup(archive=archive, say=say)
            else:
                result = restore_backup(
                    archive=archive, using=database, include_media=not no_media, force=force, say=say
                )
                manifest = result.manifest
        except (BackupError, OSError) as exc:  # OSError: a full disk, a directory that cannot be written
            raise CommandError(str(exc)) from exc
        if verbosity < 1:
            return
        made = f"made {manifest['created_at']} by CityPocket {manifest['citypocket_version']}"
        if verify_only:
            self.stdout.write(f"{archive}: every checksum matches ({made}); nothing was restored.")
            return
        for note in result.notes:
            self.stderr.write(self.style.WARNING(note))
        self.stdout.write(
            f"restored {archive} ({made}): {manifest['database']['engine']} database, "
            f"media files: {result.media_files}. Start the platform again."
        )
