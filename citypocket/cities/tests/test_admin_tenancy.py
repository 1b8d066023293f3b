"""Every admin keeps each city to itself; the test walks the admin's registry so that none is forgotten.

Each registered model admin is either a `CityScopedAdmin` (its inlines `CityScopedInline`s), whose
model `build_city` gives a row in both cities, or a global admin listed in `GLOBAL_ADMINS` with its
reason. A new admin that is neither makes these tests fail. Then, signed in as staff holding every
role of Rouen, for each city-scoped admin:

* the change list shows Rouen's row and not Aix's;
* Aix's change, history and delete pages answer every Rouen role as a stranger
  (`assert_tenant_isolated`), and a POST changes nothing;
* every foreign-key, many-to-many and raw-id field of the add and change forms, and of their
  inlines, offers only Rouen's objects (and, for accounts, none of Aix's people, no superuser);
* posting an Aix object (or an outside account) in any of those fields is a form error on that
  field, and nothing is saved.
"""

import hashlib
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.forms import ModelChoiceField
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from citypocket.air.models import AirAlert, AirIndexDaily
from citypocket.audit.services import record as record_audit
from citypocket.cities.admin import CityScopedAdmin, CityScopedInline, city_id_of, city_path
from citypocket.cities.models import City, Role
from citypocket.cityinfo.models import Article, Event, EventCategory, EventFeed, Image, Place, PlaceClosure
from citypocket.cityinfo.waste_models import CollectionRule, SortingItem, WasteZone, WasteZoneStreet
from citypocket.mobility.models import CarPark
from citypocket.notifications.models import AlertSettings, CityAlert
from citypocket.opendata.models import Catalog, DataAccessToken, Dataset, HarvestJob, HarvestSource
from citypocket.opendata.tests.factories import DatasetVersionFactory
from citypocket.participation import models as participation
from citypocket.participation.tests.conftest import make_budget, make_process
from citypocket.safety.models import AwarenessArticle, FilmedZone, SafePlace, SensitiveAccessLog
from citypocket.safety.tests.conftest import file_report
from citypocket.sensors.models import Datastream, DeadLetter, IngestToken, Sensor
from testsupport import UserFactory, admin_form_data, assert_tenant_isolated, login, make_staff

pytestmark = pytest.mark.django_db

GLOBAL_ADMINS = {
    "accounts.User": "accounts are the platform's, not a city's; only superusers manage them (UserAdmin)",
    "cities.City": "the tenant itself: a city admin sees and changes their own city only (CityAdmin, tested below)",
    "auth.Group": "Django permission groups are platform-wide; city staff hold roles, not Django permissions",
    "account.EmailAddress": "allauth's e-mail addresses belong to accounts, platform-wide; superusers only",
    "mfa.Authenticator": "second factors belong to accounts, platform-wide; superusers only",
    "django_tasks_database.DBTaskResult": "the task queue is the platform's; superusers only",
    "socialaccount.SocialApp": "sign-in providers (FranceConnect) are configured for the platform; superusers only",
    "socialaccount.SocialAccount": "a person's FranceConnect link belongs to the account, platform-wide; superusers only",
    "socialaccount.SocialToken": "provider tokens belong to accounts (none are kept); superusers only",
    "usersessions.UserSession": "a person's signed-in browsers belong to the account, platform-wide; superusers only",
}
SCOPED_ADMINS = sorted(model._meta.label for model in admin.site._registry if model._meta.label not in GLOBAL_ADMINS)


def build_city(city: City, participant) -> None:
    """One row of every city-owned model with an admin (and of what their forms link to) in `city`."""
    tag, now, today = city.slug, timezone.now(), timezone.localdate()
    lat, lon = city.centre_lat, city.centre_lon
    station = Sensor.objects.create(city=city, external_id=f"{tag}-AIR", kind="air", name=f"Air {tag}", lat=lat,
                                    lon=lon)
    Datastream.objects.create(sensor=station, property="no2", unit="ug/m3")
    parking = Sensor.objects.create(city=city, external_id=f"{tag}-P", kind="parking", name=f"Parking {tag}")
    DeadLetter.objects.create(city=city, source="http:gateway", payload="{}", reason=f"refused {tag}", received_at=now)
    IngestToken.objects.create(city=city, name=f"gateway {tag}", token_hash=hashlib.sha256(tag.encode()).hexdigest())
    AirIndexDaily.objects.create(city=city, station=station, date=today, version="2021", level=2, computed_at=now)
    AirAlert.objects.create(city=city, date=today, level=4, source="computed")
    CarPark.objects.create(city=city, slug=f"parc-{tag}", name=f"Parc {tag}", lat=lat, lon=lon, sensor=parking)
    Dataset.objects.create(city=city, slug=f"data-{tag}", title_fr=f"Données {tag}", title_en=f"Data {tag}",
                           description_fr="Description", description_en="Description")
    DataAccessToken.objects.create(city=city, name=f"partner {tag}", scopes=["datasets:read"],
                                   token_hash=hashlib.sha256(f"data-{tag}".encode()).hexdigest())
    Catalog.objects.create(city=city, title_fr=f"Catalogue {tag}", title_en=f"Catalog {tag}", description_fr="D",
                           description_en="D", contact_name="Données")
    harvest = HarvestSource.objects.create(city=city, kind="dcat", url=f"https://data.example.org/{tag}.ttl",
                                           title=f"Source {tag}")
    HarvestJob.objects.create(source=harvest, started_at=now)

    process = make_process(city, slug=f"pb-{tag}", open_phase=participation.PhaseKind.PROPOSALS)
    budget, projects = make_budget(city, process=process, costs=(("Bancs", 60),))
    district = participation.District.objects.create(city=city, budget=budget, name=f"Quartier {tag}", amount=50)
    participation.Project.objects.create(city=city, budget=budget, district=district, title="Arbres", cost=30)
    survey = participation.Survey.objects.create(city=city, process=process, title=f"Enquête {tag}", opens_at=now,
                                                 closes_at=now + timedelta(days=9))
    question = participation.Question.objects.create(survey=survey, kind="single", prompt="Quel jour ?")
    participation.Choice.objects.create(question=question, label="Samedi")
    category = participation.Category.objects.create(city=city, name=f"Voirie {tag}")
    proposal = participation.Proposal.objects.create(city=city, process=process, author=participant,
                                                     title=f"Bancs {tag}", body="Des bancs", category=category)
    participation.Follow.objects.create(city=city, user=participant, proposal=proposal)
    participation.Comment.objects.create(city=city, proposal=proposal, author=participant, body="Oui")
    meeting = participation.Meeting.objects.create(city=city, process=process, title=f"Conseil {tag}",
                                                   starts_at=now + timedelta(days=3),
                                                   ends_at=now + timedelta(days=3, hours=2), place="Hôtel de ville")
    participation.AgendaItem.objects.create(meeting=meeting, title="Budget")
    participation.MeetingDocument.objects.create(meeting=meeting, title="Ordre du jour", url="https://example.org/o.pdf")
    participation.ResidentVerification.objects.create(city=city, user=participant, method="census", verified_at=now)
    result = participation.ActionResult.objects.create(city=city, process=process, title=f"Abris {tag}")
    participation.Milestone.objects.create(result=result, date=today, title="Étude")
    result.projects.add(projects["Bancs"])
    result.proposals.add(proposal)

    file_report(city, lat=lat, lon=lon)
    SensitiveAccessLog.objects.create(city=city, user_email=f"officer@{tag}.example.org", action="read_details")
    SafePlace.objects.create(city=city, name=f"Café {tag}", kind="bar", address="1 place", lat=lat, lon=lon)
    AwarenessArticle.objects.create(city=city, slug=f"article-{tag}", title_fr="Agir", title_en="Act",
                                    body_fr="Texte", body_en="Text")
    FilmedZone.objects.create(city=city, name=f"Gare {tag}", lat=lat, lon=lon, radius_m=50, operator="Ville",
                              purpose="Sécurité", retention_days=15, rights_contact="dpo@example.org")
    record_audit(actor=None, action="budget.results_published", obj=budget, detail={"ballots": 3})
    DatasetVersionFactory(dataset__city=city, dataset__slug=f"covoiturage-{tag}")

    Image.objects.create(city=city, title=f"Photo {tag}")  # no files: the forms only link to it
    library = Place.objects.create(city=city, slug=f"bibliotheque-{tag}", name=f"Bibliothèque {tag}",
                                   kind="library", lat=lat, lon=lon, opening_hours="Tu-Sa 10:00-18:00; PH off")
    PlaceClosure.objects.create(place=library, starts_on=today, ends_on=today, reason_fr="Inventaire")
    tales = EventCategory.objects.create(city=city, slug=f"contes-{tag}", name_fr="Contes", name_en="Tales")
    story = Event.objects.create(city=city, slug=f"heure-du-conte-{tag}", title_fr=f"Heure du conte {tag}",
                                 starts_at=now, ends_at=now + timedelta(hours=1), rrule="FREQ=WEEKLY",
                                 venue=library)
    story.categories.add(tales)
    EventFeed.objects.create(city=city, name=f"Agenda {tag}", url=f"https://{tag}.example.org/agenda.ics",
                             format="ical")
    Article.objects.create(city=city, slug=f"actualite-{tag}", category="city_life", title_fr=f"Actualité {tag}",
                           summary_fr="Résumé", body_fr="<p>Texte</p>", publish_at=now)
    zone = WasteZone.objects.create(city=city, slug=f"secteur-{tag}", name_fr=f"Secteur {tag}")
    WasteZoneStreet.objects.create(zone=zone, street="Rue Jeanne d'Arc")
    CollectionRule.objects.create(zone=zone, stream="glass", starts_on=today, rrule="FREQ=WEEKLY;BYDAY=WE")
    SortingItem.objects.create(city=city, name_fr=f"Pile {tag}", name_en="Battery", stream="take_back")
    AlertSettings.objects.create(city=city, severe_needs_confirmation=True)
    CityAlert.objects.create(city=city, identifier=uuid.uuid4(), kind="flood", severity="Moderate",
                             headline_fr=f"Crue {tag}", headline_en=f"Flood {tag}", onset=now,
                             expires=now + timedelta(hours=6), state="published")


@pytest.fixture
def world(rouen, aix, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # hundreds of accounts
    staff = UserFactory()
    for role in Role.values:
        make_staff(rouen, role, user=staff)
    rouen_participant, aix_participant = UserFactory(), UserFactory()
    build_city(rouen, rouen_participant)
    build_city(aix, aix_participant)
    outsiders = [aix_participant, make_staff(aix, Role.CITY_ADMIN), UserFactory(),
                 UserFactory(is_superuser=True, is_staff=True)]
    return SimpleNamespace(a=rouen, b=aix, client=login(Client(), staff), outsiders=outsiders)


def rows_of(model, city: City):
    return model.objects.filter(**{f"{city_path(model)}__in": [city.pk]})


def url_of(obj, view: str) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


def state(*models) -> dict:
    """Every row of `models`, all columns and many-to-many links: to compare before and after a refused POST."""
    rows = {}
    for model in models:
        for obj in model.objects.all():
            values = {field.attname: getattr(obj, field.attname) for field in model._meta.concrete_fields}
            for field in model._meta.many_to_many:
                values[field.name] = sorted(str(pk) for pk in getattr(obj, field.name).values_list("pk", flat=True))
            rows[(model._meta.label, str(obj.pk))] = values
    return rows


def relation_fields(response):
    """(posted name, where its errors are, field name, form field) of every relation field of an admin form."""
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        if isinstance(field, ModelChoiceField):
            yield name, None, name, field
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        # A row's hidden id is matched against the rows of this parent only (the formset's queryset).
        row_id = formset.model._meta.pk.name
        for index, inline_form in enumerate([*formset.forms, formset.empty_form]):
            for name, field in inline_form.fields.items():
                if isinstance(field, ModelChoiceField) and name != row_id:
                    is_row = index < len(formset.forms)
                    yield (inline_form.add_prefix(name) if is_row else None), (formset.prefix, index), name, field


def errors_of(response, where) -> dict:
    if where is None:
        return response.context["adminform"].form.errors
    prefix, index = where
    [inline] = [i for i in response.context["inline_admin_formsets"] if i.formset.prefix == prefix]
    return inline.formset.forms[index].errors


def foreign_choices(model, world) -> list:
    """What a Rouen form must refuse for a relation to `model`: Aix's row, or accounts from outside Rouen."""
    if model is get_user_model():
        return world.outsiders
    if model is City:
        return [world.b]
    other = rows_of(model, world.b).first()
    assert other is not None, f"build_city() makes no {model._meta.label} row: add one"
    return [other]


# Relation fields whose choices are other cities by design, with the reason.
CROSS_CITY_FIELDS = {
    ("opendata.Dataset", "partners"): "a restricted dataset's partner cities are the other cities",
}


def assert_offers_only_the_citys_own(label, name, field, world):
    queryset = field.queryset
    assert queryset.exists(), f"{label}.{name} offers nothing: nothing would be checked"
    if queryset.model is get_user_model():
        offered = set(queryset.values_list("pk", flat=True))
        assert not offered & {person.pk for person in world.outsiders}, f"{label}.{name} offers outside accounts"
        return
    cities = {city_id_of(obj) for obj in queryset}
    assert cities == {world.a.pk}, f"{label}.{name} offers objects of cities {cities}"


def test_every_registered_admin_is_city_scoped_or_declared_global():
    """No admin is registered without city scoping unless it is declared global, with its reason."""
    registered = {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}
    assert set(GLOBAL_ADMINS) <= set(registered), "a global admin listed here is no longer registered"
    for label in SCOPED_ADMINS:
        model_admin = registered[label]
        assert isinstance(model_admin, CityScopedAdmin), (
            f"{label}: {type(model_admin).__name__} is not a CityScopedAdmin; derive it from "
            "citypocket.cities.admin.CityScopedAdmin, or declare the model in GLOBAL_ADMINS with a reason"
        )
        for inline in model_admin.inlines:
            assert issubclass(inline, CityScopedInline), f"{label}: {inline.__name__} is not a CityScopedInline"


def test_global_admins_are_closed_to_city_staff(world):
    """City staff, whatever their roles, get no global admin; a city admin gets their own city only."""
    client = world.client
    for label in GLOBAL_ADMINS:
        model = apps.get_model(label)
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        if model is City:
            html = client.get(changelist).content.decode()
            assert url_of(world.a, "change") in html and url_of(world.b, "change") not in html
            assert client.get(url_of(world.b, "change")).status_code in (302, 403, 404)
            continue
        assert client.get(changelist).status_code == 403, label


def test_a_plain_inline_on_a_city_scoped_admin_is_a_configuration_error():
    """`citypocket check` refuses an inline that would escape the city scoping."""

    class PlainPhaseInline(admin.TabularInline):
        model = participation.Phase

    class ProcessAdmin(CityScopedAdmin):
        inlines = [PlainPhaseInline]

    errors = ProcessAdmin(participation.Process, admin.AdminSite()).check()
    assert [error.id for error in errors] == ["cities.E001"]


def test_city_paths_follow_required_links():
    """A model's city is its own `city`, else found through its required foreign keys."""
    assert city_path(participation.Proposal) == "city"
    assert city_path(participation.Choice) == "question__survey__city"
    assert city_path(Datastream) == "sensor__city"
    assert city_path(get_user_model()) is None


@pytest.mark.parametrize("label", SCOPED_ADMINS)
def test_city_scoped_admin_keeps_each_city_to_itself(world, label):
    """Rouen's staff list, open, pick and link only Rouen's rows in this admin (see the module docstring)."""
    model = apps.get_model(label)
    model_admin = admin.site.get_model_admin(model)
    assert isinstance(model_admin, CityScopedAdmin), f"{label} is not city-scoped (see the test above)"
    own, other = rows_of(model, world.a).first(), rows_of(model, world.b).first()
    assert own is not None and other is not None, f"build_city() makes no {label} row in both cities: add one"
    client = world.client
    watched = [model, *(inline.model for inline in model_admin.inlines)]

    listing = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert url_of(own, "change") in html and url_of(other, "change") not in html

    own_page = client.get(url_of(own, "change"))
    assert own_page.status_code == 200
    before = state(*watched)
    for url, method, data in ((url_of(other, "change"), "get", None),
                              (url_of(other, "history"), "get", None),
                              (url_of(other, "change"), "post", admin_form_data(own_page)),
                              (url_of(other, "delete"), "post", {"post": "yes"})):
        assert_tenant_isolated(city=world.b, other_city=world.a, url=url, method=method, data=data, as_json=False,
                               expected=(302, 403, 404), check_unchanged=lambda: state(*watched) == before)

    add_url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    add_page = client.get(add_url)
    assert add_page.status_code in (200, 403)
    pages = [(url_of(own, "change"), own_page)] + ([(add_url, add_page)] if add_page.status_code == 200 else [])
    for url, page in pages:
        data = admin_form_data(page)
        for posted, where, name, field in list(relation_fields(page)):
            if (label, name) in CROSS_CITY_FIELDS:
                assert world.a.pk not in set(field.queryset.values_list("pk", flat=True)), f"{label}.{name}"
                continue
            assert_offers_only_the_citys_own(label, name, field, world)
            if posted is None:
                continue
            for foreign in foreign_choices(field.queryset.model, world):
                value = [str(foreign.pk)]
                before = state(*watched)
                response = client.post(url, {**data, posted: value})
                assert response.status_code == 200, f"{label}.{name}: {foreign!r} of another city was accepted"
                assert name in errors_of(response, where), f"{label}.{name}: no error for {foreign!r}"
                assert state(*watched) == before
