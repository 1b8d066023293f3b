"""Factories of the city-information tests: places, closures, events, categories, feeds, articles."""

import datetime as dt

import factory

from citypocket.cities.tests.factories import CityOwnedFactory
from citypocket.cityinfo.models import Article, Event, EventCategory, EventFeed, Place, PlaceClosure, PlaceKind
from citypocket.cityinfo.services import refresh_series_end


class PlaceFactory(CityOwnedFactory):
    """A town hall at its city's centre, open on weekdays and closed on public holidays."""

    class Meta:
        model = Place

    slug = factory.Sequence(lambda n: f"lieu-{n}")
    name = factory.Sequence(lambda n: f"Mairie annexe {n}")
    kind = PlaceKind.TOWN_HALL
    address = factory.Sequence(lambda n: f"{n} place de la Mairie")
    lat = factory.LazyAttribute(lambda o: o.city.centre_lat)
    lon = factory.LazyAttribute(lambda o: o.city.centre_lon)
    opening_hours = "Mo-Fr 09:00-18:00; PH off"
    wheelchair = "yes"


class PlaceClosureFactory(factory.django.DjangoModelFactory):
    """One day's closure of a place (its city is the place's)."""

    class Meta:
        model = PlaceClosure

    place = factory.SubFactory(PlaceFactory)
    starts_on = dt.date(2026, 12, 24)
    ends_on = dt.date(2026, 12, 24)
    reason_fr = "Fermeture exceptionnelle"
    reason_en = "Exceptional closure"


class EventCategoryFactory(CityOwnedFactory):
    class Meta:
        model = EventCategory

    slug = factory.Sequence(lambda n: f"categorie-{n}")
    name_fr = factory.Sequence(lambda n: f"Catégorie {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class EventFactory(CityOwnedFactory):
    """A two-hour one-off event on Saturday 12 December 2026 at 10:00 in Paris time, without a venue."""

    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"evenement-{n}")
    title_fr = factory.Sequence(lambda n: f"Événement {n}")
    title_en = factory.Sequence(lambda n: f"Event {n}")
    starts_at = dt.datetime(2026, 12, 12, 9, 0, tzinfo=dt.UTC)
    ends_at = dt.datetime(2026, 12, 12, 11, 0, tzinfo=dt.UTC)
    location = "Place de la Mairie"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        event = model_class(*args, **kwargs)
        refresh_series_end(event)
        event.save()
        return event


class EventFeedFactory(CityOwnedFactory):
    class Meta:
        model = EventFeed

    name = factory.Sequence(lambda n: f"Agenda {n}")
    url = factory.Sequence(lambda n: f"https://agenda.example.org/{n}.ics")
    format = "ical"


class ArticleFactory(CityOwnedFactory):
    """A published article of 1 November 2026, without a cover."""

    class Meta:
        model = Article

    slug = factory.Sequence(lambda n: f"article-{n}")
    category = "city_life"
    title_fr = factory.Sequence(lambda n: f"Actualité {n}")
    title_en = factory.Sequence(lambda n: f"News {n}")
    summary_fr = "Résumé de l'actualité."
    summary_en = "Summary of the news."
    body_fr = "<p>Texte de l'actualité.</p>"
    body_en = "<p>Text of the news.</p>"
    publish_at = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
