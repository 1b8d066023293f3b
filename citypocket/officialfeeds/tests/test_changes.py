"""Stored states, their history and `official_level_changed`: sent on a change only, with its data."""

import httpx
import pytest
import respx
from django.db import transaction

from citypocket.officialfeeds import connectors, services, vigieau, vigilance
from citypocket.officialfeeds.demo import load_demo, read_fixture
from citypocket.officialfeeds.models import LevelChange, WaterRestriction, WeatherWarning
from citypocket.officialfeeds.schedule import refresh_official_feeds
from citypocket.officialfeeds.signals import official_level_changed

ZONES = "https://api.vigieau.test/api/zones"
MAP = "https://vigilance.test/cartevigilance/encours"


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append({"sender": sender, **kwargs})

    official_level_changed.connect(receiver)
    yield calls
    official_level_changed.disconnect(receiver)


def state(name, status=200):
    return vigieau.parse_zones(read_fixture(name), status=status)


@pytest.mark.django_db
def test_a_change_of_water_level_sends_the_signal_once_with_its_data(aix, received, django_capture_on_commit_callbacks):
    """alerte -> crise: one signal with the city, commune, levels, texts in both languages, the order's URL."""
    with django_capture_on_commit_callbacks(execute=True):
        services.record_water_state(city=aix, commune_code="13001", state=state("vigieau_alerte_13001.json"))
    with django_capture_on_commit_callbacks(execute=True):
        services.record_water_state(city=aix, commune_code="13001", state=state("vigieau_alerte_13001.json"))
    assert len(received) == 1  # the first reading (alerte) only; the unchanged refresh sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        services.record_water_state(city=aix, commune_code="13001", state=state("vigieau_crise_13001.json"))
    assert len(received) == 2
    change = received[-1]
    assert change["sender"] is WaterRestriction and change["city"] == aix
    assert change["kind"] == "water_restriction" and change["area"] == {"communes": ["13001"]}
    assert (change["old_level"], change["new_level"], change["severity"]) == ("alerte", "crise", 3)
    assert change["url"].endswith("2026_arrete_restriction_13_crise.pdf")
    assert change["texts"]["fr"]["title"] == "Restrictions d\u2019eau à Aix-en-Provence : Crise"
    assert change["texts"]["en"]["title"] == "Water-use restrictions in Aix-en-Provence: Crisis"
    assert "forbidden" in change["texts"]["en"]["body"] and change["is_demo"] is False
    history = list(LevelChange.objects.filter(city=aix).values_list("old_level", "new_level"))
    assert history == [("alerte", "crise"), ("", "alerte")]
    assert WaterRestriction.objects.get(city=aix).level == "crise"


@pytest.mark.django_db
def test_a_quiet_first_reading_is_kept_but_not_announced(rouen, received, django_capture_on_commit_callbacks):
    """No restriction read for the first time: history has it, no signal; then a new level is announced."""
    with django_capture_on_commit_callbacks(execute=True):
        services.record_water_state(city=rouen, commune_code="76540", state=state("vigieau_none_76540.json", 404))
    assert received == [] and LevelChange.objects.filter(city=rouen).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.record_water_state(city=rouen, commune_code="76540", state=vigieau.WaterState(level="vigilance"))
    assert [(c["old_level"], c["new_level"]) for c in received] == [("none", "vigilance")]


@pytest.mark.django_db
def test_weather_warning_change_sends_the_signal_for_the_department(
    rouen, received, django_capture_on_commit_callbacks
):
    """yellow (first) -> unchanged -> orange: two signals, area is the département."""
    payload = read_fixture("vigilance_encours.json")
    with django_capture_on_commit_callbacks(execute=True):
        services.record_weather_warning(city=rouen, state=vigilance.parse_vigilance(payload, department="76"))
        services.record_weather_warning(city=rouen, state=vigilance.parse_vigilance(payload, department="76"))
    orange = vigilance.WarningState(department="76", level="orange", phenomena={"wind": "orange"})
    with django_capture_on_commit_callbacks(execute=True):
        services.record_weather_warning(city=rouen, state=orange)
    assert [(c["old_level"], c["new_level"]) for c in received] == [(None, "yellow"), ("yellow", "orange")]
    last = received[-1]
    assert last["sender"] is WeatherWarning and last["kind"] == "weather_warning"
    assert last["area"] == {"department": "76"} and last["severity"] == 2
    assert last["texts"]["en"]["body"] == "Météo-France sets the warning level Orange (before: Yellow) for: Wind."


@pytest.mark.django_db
def test_no_signal_when_the_transaction_rolls_back(aix, received, django_capture_on_commit_callbacks):
    """The signal waits for the commit: a rolled-back change announces nothing."""
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.record_water_state(city=aix, commune_code="13001", state=state("vigieau_crise_13001.json"))
        raise RuntimeError("rolled back")
    assert received == [] and not WaterRestriction.objects.exists()


@pytest.mark.django_db
@respx.mock
def test_refresh_reads_each_commune_from_vigieau(aix, settings, received, django_capture_on_commit_callbacks):
    """The connector asks for the commune and the private-people profile and stores what it reads."""
    settings.OFFICIALFEEDS_VIGIEAU_URL = ZONES
    route = respx.get(ZONES, params={"commune": "13001", "profil": "particulier"}).mock(
        return_value=httpx.Response(200, json=read_fixture("vigieau_alerte_13001.json"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert connectors.refresh_city_water(city=aix) == {"13001": "alerte"}
    assert route.call_count == 1
    assert WaterRestriction.objects.get(city=aix, commune_code="13001").level == "alerte"
    assert len(received) == 1


@pytest.mark.django_db
@respx.mock
@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(503),
        httpx.Response(200, text="<html>"),
        httpx.Response(404, json={"message": "Not found"}),
        httpx.TimeoutException("slow"),
    ],
)
def test_a_failed_read_keeps_the_last_known_state(aix, settings, received, answer, caplog):
    """Server error, not JSON, unknown 404, timeout: logged, state and history unchanged, nothing sent."""
    settings.OFFICIALFEEDS_VIGIEAU_URL = ZONES
    row = services.record_water_state(city=aix, commune_code="13001", state=state("vigieau_alerte_13001.json"))
    route = respx.get(ZONES)
    if isinstance(answer, Exception):
        route.mock(side_effect=answer)
    else:
        route.mock(return_value=answer)
    assert connectors.refresh_city_water(city=aix) == {"13001": "failed"}
    kept = WaterRestriction.objects.get(pk=row.pk)
    assert kept.level == "alerte" and kept.fetched_at == row.fetched_at
    assert LevelChange.objects.filter(city=aix).count() == 1
    assert "VigiEau read failed" in caplog.text


@pytest.mark.django_db
@respx.mock
def test_weather_refresh_sends_the_api_key_and_stores_the_department(rouen, settings):
    """The configured map is read with the portal's `apikey` header; Rouen's département 76 is stored."""
    settings.OFFICIALFEEDS_VIGILANCE_URL = MAP
    settings.OFFICIALFEEDS_VIGILANCE_API_KEY = "test-key"
    route = respx.get(MAP).mock(return_value=httpx.Response(200, json=read_fixture("vigilance_encours.json")))
    assert connectors.refresh_city_weather(city=rouen) == {"76": "yellow"}
    assert route.calls.last.request.headers["apikey"] == "test-key"
    respx.get(MAP).mock(return_value=httpx.Response(500))
    assert connectors.refresh_city_weather(city=rouen) == {"76": "failed"}
    assert WeatherWarning.objects.get(city=rouen).level == "yellow"


@pytest.mark.django_db
def test_nothing_is_fetched_unless_configured(rouen, settings):
    """Without URLs (the default, demo and tests), the connectors do nothing and the clock job enqueues nothing."""
    settings.OFFICIALFEEDS_VIGIEAU_URL = ""
    settings.OFFICIALFEEDS_VIGILANCE_URL = ""
    assert connectors.refresh_city_water(city=rouen) == {}
    assert connectors.refresh_city_weather(city=rouen) == {}
    assert refresh_official_feeds.call() == 0


@pytest.mark.django_db
def test_demo_loads_marked_states_for_rouen_and_aix_once(rouen, aix):
    """Rouen: none + yellow; Aix: alerte + orange; all marked demo; a second load changes nothing."""
    load_demo()
    load_demo()
    assert WaterRestriction.objects.get(city=rouen).level == "none"
    assert WaterRestriction.objects.get(city=aix).level == "alerte"
    assert WeatherWarning.objects.get(city=rouen).level == "yellow"
    assert WeatherWarning.objects.get(city=aix).level == "orange"
    assert not WaterRestriction.objects.filter(is_demo=False).exists()
    assert LevelChange.objects.count() == 4
