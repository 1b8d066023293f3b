"""`citypocket revoke_ingest_token <token>` or `--id N`: the token stops working at once."""

from django.core.management.base import BaseCommand, CommandError

from citypocket.sensors.models import IngestToken
from citypocket.sensors.tokens import hash_token, revoke_ingest_token


class Command(BaseCommand):
    help = "Revoke an ingest token, given the token itself or its id (as listed in the admin)."

    def add_arguments(self, parser):
        parser.add_argument("token", nargs="?", default="", help="the token (cpi_...)")
        parser.add_argument("--id", type=int, dest="token_id", help="the token's id instead of its value")

    def handle(self, *args, token: str, token_id: int | None, **options):
        if bool(token) == bool(token_id):
            raise CommandError("Give either the token or --id.")
        row = (
            IngestToken.objects.filter(pk=token_id).first()
            if token_id
            else IngestToken.objects.filter(token_hash=hash_token(token)).first()
        )
        if row is None:
            raise CommandError("No such ingest token.")
        revoke_ingest_token(token=row)
        self.stdout.write(f"Revoked ingest token {row.pk} ({row.city.slug}, {row.name or 'unnamed'}).")
