"""Factories of the safety tests: safe places, awareness articles, filmed zones, and reports.

A report's precise facts are encrypted, so `HarassmentReportFactory` files it through
`services.submit_report`, as the form and the API do; its receipt code is on `.receipt_code`.
"""

import datetime as dt

import factory
from django.utils import timezone

from citypocket.cities.tests.factories import CityOwnedFactory
from citypocket.safety import services
from citypocket.safety.models import (
    AwarenessArticle,
    Category,
    FilmedZone,
    HarassmentReport,
    ReporterRole,
    SafePlace,
    SafePlaceKind,
)


class SafePlaceFactory(CityOwnedFactory):
    """A bar at the city's centre that welcomes people in danger, open every evening."""

    class Meta:
        model = SafePlace

    name = factory.Sequence(lambda n: f"Café refuge {n}")
    kind = SafePlaceKind.BAR
    address = factory.Sequence(lambda n: f"{n} place du Marché")
    lat = factory.LazyAttribute(lambda o: o.city.centre_lat)
    lon = factory.LazyAttribute(lambda o: o.city.centre_lon)
    opening_hours = factory.LazyFunction(lambda: {day: [["17:00", "02:00"]] for day in ("mon", "tue", "wed", "thu",
                                                                                          "fri", "sat", "sun")})


class AwarenessArticleFactory(CityOwnedFactory):
    class Meta:
        model = AwarenessArticle

    slug = factory.Sequence(lambda n: f"article-{n}")
    title_fr = factory.Sequence(lambda n: f"Agir en témoin {n}")
    title_en = factory.Sequence(lambda n: f"Acting as a witness {n}")
    body_fr = "Premier paragraphe.\n\nSecond paragraphe."
    body_en = "First paragraph.\n\nSecond paragraph."


class FilmedZoneFactory(CityOwnedFactory):
    """A video-protection zone: a 50 m circle at the city's centre, images kept 15 days."""

    class Meta:
        model = FilmedZone

    name = factory.Sequence(lambda n: f"Place filmée {n}")
    lat = factory.LazyAttribute(lambda o: o.city.centre_lat)
    lon = factory.LazyAttribute(lambda o: o.city.centre_lon)
    radius_m = 50
    operator = "Police municipale"
    purpose = "Sécurité des personnes"
    retention_days = 15
    rights_contact = "dpo@example.org"


class HarassmentReportFactory(CityOwnedFactory):
    """A report filed through `submit_report` an hour ago at the city's centre.

    Takes what a reporter gives (`occurred_at`, `lat`, `lon`, `place_name`, `description`,
    `contact`, `category`, `reporter_role`); `received_on` backdates its receipt afterwards.
    """

    class Meta:
        model = HarassmentReport

    category = Category.VERBAL
    reporter_role = ReporterRole.VICTIM
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    lat = factory.LazyAttribute(lambda o: o.city.centre_lat)
    lon = factory.LazyAttribute(lambda o: o.city.centre_lon)
    place_name = ""
    description = ""
    contact = ""
    received_on = None

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("A report is encrypted by submit_report: create it (HarassmentReportFactory()).")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        received_on = kwargs.pop("received_on")
        submitted = services.submit_report(**kwargs)
        report = submitted.report
        if received_on is not None:
            HarassmentReport.objects.filter(pk=report.pk).update(received_on=received_on)
            report.refresh_from_db()
        report.receipt_code = submitted.receipt_code
        return report
