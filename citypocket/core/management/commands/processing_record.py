"""`citypocket processing_record --city <slug> [--format md|json] [--language fr|en]`: the city's record
of processing activities (GDPR art. 30), generated from the declarations of personal data."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from citypocket.cities.models import City
from citypocket.core.privacy import build_processing_record, render_markdown


class Command(BaseCommand):
    help = "Print a city's record of processing activities (GDPR art. 30) as Markdown or JSON."

    def add_arguments(self, parser):
        parser.add_argument("--city", required=True, help="city slug, e.g. rouen")
        parser.add_argument("--format", choices=("md", "json"), default="md")
        parser.add_argument("--language", choices=[code for code, _name in settings.LANGUAGES],
                            help="the record's language (the city's by default)")

    def handle(self, *args, city: str, format: str, language: str | None, **options):
        place = City.objects.filter(slug=city).first()
        if place is None:
            raise CommandError(f"No city with slug {city!r}.")
        with translation.override(language or place.default_language):
            record = build_processing_record(city=place)
            text = render_markdown(record) if format == "md" else json.dumps(record, ensure_ascii=False, indent=2)
        self.stdout.write(text)
