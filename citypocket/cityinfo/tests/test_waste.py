"""Waste collection: the next glass date of a demo address (a holiday shift included), the iCalendar
subscription, the month view, the sorting guide in French and English, and the address kept off the server."""

from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar

from citypocket.cityinfo import waste
from citypocket.cityinfo.addresses import search_addresses
from citypocket.cityinfo.waste_demo import load_waste
from citypocket.cityinfo.waste_models import CollectionRule, WasteZone

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(rouen, aix):
    load_waste()
    return rouen, aix


def pin(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def _zone_of(city, text):
    hits = search_addresses(text, city=city, limit=1)
    assert hits, text
    return hits[0], waste.zone_for_address(city, hits[0])


def test_next_glass_collection_of_a_demo_address_moves_off_christmas(demo):
    """The bar: glass every other Friday in the centre of Rouen; 25 December 2026 is one, moved to the 26th."""
    rouen, _aix = demo
    hit, zone = _zone_of(rouen, "3 rue du gros horl")
    assert hit.label == "3 Rue du Gros Horloge, 76000 Rouen"
    assert zone.slug == "rive-droite"
    glass = next(entry for entry in waste.next_by_stream(zone, date(2026, 12, 20)) if entry.stream == "glass")
    assert glass.next.day == date(2026, 12, 26) and glass.next.usual_day == date(2026, 12, 25) and glass.next.moved
    before = next(entry for entry in waste.next_by_stream(zone, date(2026, 11, 30)) if entry.stream == "glass")
    assert before.next.day == date(2026, 12, 11) and not before.next.moved
    # Two weeks after the moved one, back on its Friday (1 January 2027 is not in the series).
    dates = [item.day for item in waste.zone_collections(zone, date(2026, 12, 1), date(2027, 1, 31), stream="glass")]
    assert dates == [date(2026, 12, 11), date(2026, 12, 26), date(2027, 1, 8), date(2027, 1, 22)]


def test_holiday_rules_next_day_skip_and_keep(demo):
    rouen, aix = demo
    centre = WasteZone.objects.get(city=rouen, slug="rive-droite")
    left = WasteZone.objects.get(city=rouen, slug="rive-gauche")
    old_town = WasteZone.objects.get(city=aix, slug="centre-ancien")
    july = (date(2026, 7, 13), date(2026, 7, 17))  # 14 July 2026 is a Tuesday
    green = [item.day for item in waste.zone_collections(centre, *july, stream="green")]
    household = [(item.day, item.usual_day) for item in waste.zone_collections(left, *july, stream="household")]
    kept = [item.day for item in waste.zone_collections(old_town, *july, stream="household")]
    assert green == []  # skipped
    assert household == [(date(2026, 7, 15), date(2026, 7, 14))]  # moved to the Wednesday
    assert date(2026, 7, 14) in kept  # collected as usual
    # A move never lands on a Sunday nor on another holiday: Saturday 31 Oct → (Sun 1 Nov holiday) Monday 2 Nov.
    rule = CollectionRule(zone=centre, stream="glass", starts_on=date(2026, 1, 1), rrule="FREQ=WEEKLY;BYDAY=SU")
    assert waste._next_working_day(date(2026, 10, 31)) == date(2026, 11, 2)
    assert [c.day for c in waste.rule_dates(rule, date(2026, 11, 1), date(2026, 11, 3))] == [date(2026, 11, 2)]


def test_the_zone_page_shows_the_next_glass_date_and_the_month(client, demo, monkeypatch):
    pin(monkeypatch, datetime(2026, 12, 20, 10, tzinfo=UTC))
    page = client.get("/rouen/waste/zones/rive-droite/?lang=en").content.decode()
    assert 'data-stream="glass"' in page
    glass = page.split('data-stream="glass"', 1)[1].split("</li>", 1)[0]
    assert 'datetime="2026-12-26"' in glass and "Moved from Friday 25 December (public holiday)." in glass
    assert ">Collections in December 2026</caption>" in page
    assert 'aria-current="date"' in page
    french = client.get("/rouen/waste/zones/rive-droite/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "samedi 26 décembre" in french
    other_month = client.get("/rouen/waste/zones/rive-droite/?month=2027-01&lang=en").content.decode()
    assert "January 2027" in other_month
    assert client.get("/rouen/waste/zones/rive-droite/?month=nonsense").status_code == 200
    assert client.get("/rouen/waste/zones/centre-ancien/").status_code == 404  # Aix's zone, not Rouen's


def test_the_icalendar_subscription_lists_the_moved_glass_collection(client, demo, monkeypatch):
    pin(monkeypatch, datetime(2026, 12, 20, 10, tzinfo=UTC))
    response = client.get("/rouen/waste/zones/rive-droite/calendar.ics?lang=en")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    glass = {event.decoded("dtstart"): event for event in events if str(event["summary"]) == "Glass"}
    christmas = glass[date(2026, 12, 26)]
    assert str(christmas["uid"]) == "waste-rive-droite-glass-20261225@rouen.citypocket"
    assert "DTSTART;VALUE=DATE:20261226" in response.content.decode()
    assert "Moved from 2026-12-25" in str(christmas["description"])
    assert date(2026, 12, 25) not in glass
    assert len({str(event["uid"]) for event in events}) == len(events)
    assert not christmas.walk("VALARM")
    reminded = Calendar.from_ical(client.get("/rouen/waste/zones/rive-droite/calendar.ics?reminder=1").content)
    alarm = reminded.walk("VEVENT")[0].walk("VALARM")[0]
    assert alarm.decoded("trigger").total_seconds() == -5 * 3600  # 19:00 the evening before


def test_address_search_ignores_accents_and_case_and_matches_prefixes(demo):
    rouen, aix = demo
    assert [hit.label for hit in search_addresses("3 ECOLES milit", city=aix)] == [
        "3 Avenue des Écoles Militaires, 13090 Aix-en-Provence"]
    labels = [hit.label for hit in search_addresses("rue jea", city=rouen)]
    assert labels and all("Jeanne d'Arc" in label for label in labels)
    assert search_addresses("12 jeanne d'arc", city=rouen)[0].label == "12 bis Rue Jeanne d'Arc, 76000 Rouen"
    assert search_addresses("jeanne", city=aix) == []  # each city its own addresses
    assert search_addresses("  ,;  ", city=rouen) == []
    assert search_addresses("rue", city=rouen, limit=3).__len__() == 3


def test_streets_ranges_and_parity_choose_the_zone(demo):
    rouen, aix = demo
    assert _zone_of(rouen, "25 rue de la republique")[1].slug == "rive-droite"
    assert _zone_of(rouen, "73 rue de la republique")[1].slug == "rive-gauche"
    assert _zone_of(aix, "11 boulevard du roi")[1].slug == "centre-ancien"
    assert _zone_of(aix, "28 boulevard du roi")[1].slug == "aix-sud"


def test_the_sorting_guide_answers_in_french_and_english(client, demo):
    rouen, _aix = demo
    assert waste.search_sorting_guide(rouen, "pot de confiture")[0].name_fr == "Pot de confiture"
    assert waste.search_sorting_guide(rouen, "jam")[0].stream == "glass"
    assert waste.search_sorting_guide(rouen, "battery")[0].name_fr == "Pile"
    assert waste.search_sorting_guide(rouen, "EPLUCH")[0].name_fr == "Épluchures"
    assert waste.search_sorting_guide(rouen, "verre a boire")[0].stream == "household"
    assert waste.search_sorting_guide(rouen, "xylophone") == []
    english = client.get("/rouen/waste/guide/", {"q": "pile", "lang": "en"}).content.decode()
    assert "Battery" in english and "Take back to a shop" in english
    french = client.get("/rouen/waste/guide/", {"q": "battery"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Pile" in french and "Rapporter en magasin" in french


def test_the_demo_loads_again_without_change(demo):
    rouen, _aix = demo
    before = (rouen.addresses.count(), WasteZone.objects.count(), CollectionRule.objects.count(),
              rouen.sorting_items.count())
    assert "0 created, 0 updated" in load_waste()
    assert before == (rouen.addresses.count(), WasteZone.objects.count(), CollectionRule.objects.count(),
                      rouen.sorting_items.count())
    assert before[0] == 40 and rouen.addresses.filter(is_demo=False).count() == 0


def test_the_address_typed_is_neither_stored_nor_logged_nor_cached(client, demo, caplog, django_db_blocker):
    from django.apps import apps
    from django.db import models

    secret = "Rue Eau de Robec"
    counts = {model: model.objects.count() for model in apps.get_models()}
    with caplog.at_level("DEBUG"):
        response = client.post("/rouen/waste/", {"address": "50 eau de robec"})
        api = client.get("/api/v1/cities/rouen/addresses", {"q": "50 eau de robec"})
    assert response.status_code == 200 and "50 Rue Eau de Robec, 76000 Rouen" in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in api["Cache-Control"]
    assert "no-store" in api["Cache-Control"]
    assert api.json()["items"][0]["zone"] == "rive-droite"
    assert "eau de robec" not in caplog.text.lower()
    # No table but the address base gained or holds the typed text.
    assert {model: model.objects.count() for model in apps.get_models()} == counts
    for model in apps.get_models():
        if model._meta.label in ("cityinfo.Address", "cityinfo.WasteZoneStreet"):
            continue
        text_fields = [field.name for field in model._meta.get_fields()
                       if isinstance(field, models.CharField | models.TextField) and field.concrete]
        for name in text_fields:
            assert not model.objects.filter(**{f"{name}__icontains": "robec"}).exists(), (model, name)
    assert secret  # the street is public; what matters is that the resident's query left no trace


def test_the_waste_page_finds_an_address_and_refuses_a_short_query(client, demo):
    page = client.post("/rouen/waste/", {"address": "jeanne d arc 15"}).content.decode()
    assert "15 Rue Jeanne d&#x27;Arc, 76000 Rouen" in page
    assert 'href="/rouen/waste/zones/rive-droite/"' in page
    short = client.post("/rouen/waste/", {"address": "ab"})
    assert short.status_code == 422
    nothing = client.post("/rouen/waste/", {"address": "avenue inconnue"})
    assert nothing.status_code == 200 and "No address matches" in client.post(
        "/rouen/waste/?lang=en", {"address": "avenue inconnue"}).content.decode()
    listing = client.get("/rouen/waste/").content.decode()
    assert "/rouen/waste/zones/rive-gauche/" in listing


def test_load_addresses_reads_a_ban_export_idempotently(rouen, tmp_path, capsys):
    path = tmp_path / "adresses-76.csv"
    path.write_text(
        "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;x;y;lon;lat\n"
        "76540_0001_00001;76540_0001;1;;Rue Test;76000;76540;Rouen;;;1.09;49.44\n"
        "76540_0001_00002;76540_0001;2;bis;Rue Test;76000;76540;Rouen;;;1.09;49.44\n"
        "76540_0001_00003;76540_0001;3;;Rue Test;76000;76540;Rouen;;;abc;49.44\n"
        "76451_0001_00001;76451_0001;1;;Rue Ailleurs;76130;76451;Mont-Saint-Aignan;;;1.08;49.46\n",
        encoding="utf-8",
    )
    call_command("load_addresses", "rouen", str(path))
    first = capsys.readouterr()
    assert "2 created, 0 updated, 0 unchanged, 1 of other communes, 1 rejected" in first.out
    assert "rejected line 4: no usable position" in first.err
    call_command("load_addresses", "rouen", str(path))
    assert "0 created, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert rouen.addresses.get(ban_id="76540_0001_00002").label == "2 bis Rue Test, 76000 Rouen"
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="missing column"):
        call_command("load_addresses", "rouen", str(bad))
