"""Demo places and events for Rouen and Aix-en-Provence, loaded through the same imports as real files.

Every demo event is SIMULATED (titles end with "(démo)"), at the demo places when it has a venue.

Two sorts of rows, both flagged `is_demo` and shown with a "demo data" tag:

* real public facilities (the town halls, the Villon and Méjanes libraries, the Beaux-Arts and
  Granet museums, the Île Lacroix pool): their names and streets are public knowledge, their
  positions are approximate (to about 50 m) and their OPENING HOURS ARE SIMULATED for the demo —
  check the city's site or OpenStreetMap before relying on them;
* small facilities whose names end with "(démo)" (toilets, fountains, defibrillators, recycling
  centres): INVENTED at plausible spots.

Nothing here was copied from OpenStreetMap; a real extract goes through `import_places` with
`--source osm`, which records the ODbL attribution on every row.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from citypocket.cities.models import City
from citypocket.cityinfo.agenda_imports import EventRecord, ParsedEvents
from citypocket.cityinfo.articles import sanitise_html
from citypocket.cityinfo.imports import Parsed, PlaceRecord
from citypocket.cityinfo.models import Article, EventCategory, Place, PlaceClosure
from citypocket.cityinfo.services import import_events, import_places

REAL = "real facility; position approximate (about 50 m); opening hours SIMULATED for the demo"
INVENTED = "invented for the demo"

PLACES = {
    "rouen": [
        ("hotel-de-ville", "Hôtel de Ville de Rouen", "town_hall", 49.44330, 1.09990,
         "2 place du Général-de-Gaulle, 76000 Rouen", "Mo-Fr 09:00-18:00; Sa 09:00-12:00; PH off", "yes", REAL),
        ("bibliotheque-villon", "Bibliothèque Villon", "library", 49.44475, 1.09520,
         "Rue Jacques-Villon, 76000 Rouen", "Tu-Fr 13:00-18:00; Sa 10:00-18:00; PH off", "yes", REAL),
        ("musee-beaux-arts", "Musée des Beaux-Arts de Rouen", "museum", 49.44500, 1.09430,
         "Esplanade Marcel-Duchamp, 76000 Rouen", "We-Mo 10:00-18:00; Jan 01,May 01,Nov 01,Dec 25 off", "yes",
         REAL),
        ("piscine-ile-lacroix", "Piscine de l'Île Lacroix", "pool", 49.43560, 1.10450,
         "Île Lacroix, 76000 Rouen", "Mo-Fr 12:00-14:00,17:00-20:00; Sa,Su 09:00-13:00; PH off", "limited", REAL),
        ("toilettes-vieux-marche", "Toilettes publiques du Vieux-Marché (démo)", "toilets", 49.44270, 1.08810,
         "Place du Vieux-Marché, 76000 Rouen", "Mo-Su 07:00-21:00", "yes", INVENTED),
        ("fontaine-verdrel", "Fontaine à boire du square Verdrel (démo)", "drinking_water", 49.44440, 1.09260,
         "Square Verdrel, 76000 Rouen", "24/7", "yes", INVENTED),
        ("defibrillateur-gare", "Défibrillateur de la gare Rive-Droite (démo)", "defibrillator", 49.44880, 1.09390,
         "Place Bernard-Tissot, 76000 Rouen", "24/7", "yes", INVENTED),
        ("decheterie", "Déchèterie de la rive gauche (démo)", "recycling_centre", 49.42600, 1.07600,
         "Rive gauche, 76100 Rouen", "Mo-Sa 09:00-12:00,14:00-18:00; Su 09:00-12:00; PH off", "", INVENTED),
    ],
    "aix-en-provence": [
        ("hotel-de-ville", "Hôtel de Ville d'Aix-en-Provence", "town_hall", 43.52970, 5.44730,
         "Place de l'Hôtel de Ville, 13100 Aix-en-Provence", "Mo-Fr 08:30-17:00; PH off", "yes", REAL),
        ("bibliotheque-mejanes", "Bibliothèque Méjanes", "library", 43.52360, 5.44180,
         "8-10 rue des Allumettes, 13100 Aix-en-Provence", "Tu-Sa 10:00-18:00; PH off", "yes", REAL),
        ("musee-granet", "Musée Granet", "museum", 43.52530, 5.45130,
         "Place Saint-Jean-de-Malte, 13100 Aix-en-Provence", "Tu-Su 10:00-18:00; Jan 01,May 01,Dec 25 off",
         "yes", REAL),
        ("toilettes-rotonde", "Toilettes publiques de la Rotonde (démo)", "toilets", 43.52620, 5.44510,
         "Place du Général-de-Gaulle, 13100 Aix-en-Provence", "Mo-Su 07:00-22:00", "yes", INVENTED),
        ("fontaine-mirabeau", "Fontaine à boire du cours Mirabeau (démo)", "drinking_water", 43.52650, 5.44800,
         "Cours Mirabeau, 13100 Aix-en-Provence", "24/7", "yes", INVENTED),
        ("defibrillateur-hotel-de-ville", "Défibrillateur de l'Hôtel de Ville (démo)", "defibrillator", 43.52980,
         5.44750, "Place de l'Hôtel de Ville, 13100 Aix-en-Provence", "24/7", "yes", INVENTED),
        ("decheterie", "Déchèterie des Milles (démo)", "recycling_centre", 43.50300, 5.38300,
         "Les Milles, 13290 Aix-en-Provence", "Mo-Sa 08:30-12:00,13:30-17:30; PH off", "", INVENTED),
    ],
}

# One exceptional closure per city, a few days ahead, so that the demo shows one.
CLOSURES = {
    "rouen": ("bibliotheque-villon", 5, 1, "Inventaire annuel (démo)", "Annual stocktaking (demo)"),
    "aix-en-provence": ("bibliotheque-mejanes", 4, 2, "Travaux (démo)", "Building works (demo)"),
}


def load() -> str:
    """Ensures the demo places and their one closure; running it again changes nothing."""
    counts = []
    for slug, rows in PLACES.items():
        city = City.objects.filter(slug=slug).first()
        if city is None:
            continue
        parsed = Parsed(records=[
            PlaceRecord(source_id=key, name=name, kind=kind, lat=lat, lon=lon, address=address,
                        opening_hours=hours, wheelchair=wheelchair)
            for key, name, kind, lat, lon, address, hours, wheelchair, _note in rows
        ])
        summary = import_places(city=city, parsed=parsed, source="demo", is_demo=True,
                                note="CityPocket demo: see each place's note")
        for key, *_rest, note in rows:
            Place.objects.filter(city=city, source="demo", source_id=key).update(
                provenance=f"CityPocket demo ({note})")
        _ensure_closure(city)
        counts.append(f"{slug}: {summary}")
    # The waste demo (addresses, rounds, the sorting guide) is read only when the demo is loaded.
    from citypocket.cityinfo.waste_demo import load_waste

    return "places " + "; ".join(counts) + " · " + load_events() + " · " + load_articles() + " · " + load_waste()


def _ensure_closure(city: City) -> None:
    key, ahead, days, reason_fr, reason_en = CLOSURES[city.slug]
    place = Place.objects.get(city=city, source="demo", source_id=key)
    first = city.local_today(timezone.now()) + timedelta(days=ahead)
    if place.closures.filter(ends_on__gte=city.local_today(timezone.now())).exists():
        return
    PlaceClosure.objects.create(place=place, starts_on=first, ends_on=first + timedelta(days=days - 1),
                                reason_fr=reason_fr, reason_en=reason_en)


# --- Agenda: simulated events, every one marked "(démo)". Recurring series anchored on fixed dates,
# so that there is always something today and this weekend, and a reload changes nothing.

def _at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=ZoneInfo("Europe/Paris"))


CATEGORY_NAMES_EN = {"Concert": "Concert", "Exposition": "Exhibition", "Jeune public": "Children",
                     "Lecture": "Reading", "Marché": "Market", "Sport": "Sport", "Atelier": "Workshop",
                     "Visite": "Guided tour"}

EVENTS = {
    "rouen": [
        # (key, title fr, title en, first day, start, end, rrule, categories, free, price, wheelchair, hearing loop,
        #  sign language, venue position)
        ("expo-impressionnisme", "Exposition « Lumières normandes » (démo)", "\"Normandy lights\" exhibition (demo)",
         "2026-09-01", "10:00", "18:00", "FREQ=DAILY;BYDAY=MO,WE,TH,FR,SA,SU;UNTIL=20270331T220000Z",
         ("Exposition",), False, "10 €, gratuit moins de 26 ans", True, True, False, (49.44500, 1.09430)),
        ("heure-du-conte", "L'heure du conte (démo)", "Story time (demo)", "2026-09-02", "10:30", "11:30",
         "FREQ=WEEKLY;BYDAY=WE", ("Jeune public", "Lecture"), True, "", True, False, True, (49.44475, 1.09520)),
        ("marche-vieux-marche", "Marché du Vieux-Marché (démo)", "Vieux-Marché market (demo)", "2026-09-05",
         "08:00", "13:00", "FREQ=WEEKLY;BYDAY=TU,TH,FR,SA,SU", ("Marché",), True, "", True, False, False,
         (49.44270, 1.08810)),
        ("concert-orgue", "Concert d'orgue du dimanche (démo)", "Sunday organ concert (demo)", "2026-09-06",
         "16:00", "17:00", "FREQ=WEEKLY;BYDAY=SU", ("Concert",), False, "8 €", True, True, False, None),
        ("bebes-nageurs", "Bébés nageurs (démo)", "Baby swimming (demo)", "2026-09-05", "09:00", "10:00",
         "FREQ=WEEKLY;BYDAY=SA", ("Sport", "Jeune public"), False, "6 €", False, False, False, (49.43560, 1.10450)),
    ],
    "aix-en-provence": [
        ("marche-richelme", "Marché de la place Richelme (démo)", "Place Richelme market (demo)", "2026-09-01",
         "07:30", "13:00", "FREQ=DAILY", ("Marché",), True, "", True, False, False, None),
        ("visite-granet", "Visite commentée du musée Granet (démo)", "Guided tour of the Granet museum (demo)",
         "2026-09-05", "15:00", "16:30", "FREQ=WEEKLY;BYDAY=SA,SU", ("Visite", "Exposition"), False, "5 €", True,
         True, True, (43.52530, 5.45130)),
        ("atelier-mejanes", "Atelier numérique à la Méjanes (démo)", "Digital workshop at the Méjanes (demo)",
         "2026-09-02", "14:00", "16:00", "FREQ=WEEKLY;BYDAY=WE", ("Atelier",), True, "", True, False, False,
         (43.52360, 5.44180)),
        ("concert-cours", "Concert sous les platanes (démo)", "Concert under the plane trees (demo)", "2026-09-04",
         "20:30", "22:00", "FREQ=WEEKLY;BYDAY=FR", ("Concert",), True, "", True, False, False, None),
    ],
}


def load_events() -> str:
    """Ensures the demo events (simulated, after the demo places); running it again changes nothing."""
    counts = []
    for slug, rows in EVENTS.items():
        city = City.objects.filter(slug=slug).first()
        if city is None:
            continue
        records = []
        for (key, title_fr, title_en, day, start, end, rule, categories, free, price, wheelchair, loop, sign,
             where) in rows:
            records.append(EventRecord(
                source_id=key, title_fr=title_fr, title_en=title_en, starts_at=_at(day, start),
                ends_at=_at(day, end), rrule=rule, categories=categories, is_free=free, price=price,
                wheelchair=wheelchair, hearing_loop=loop, sign_language=sign,
                lat=where[0] if where else None, lon=where[1] if where else None,
                location="" if where else city.name,
                description_fr="Événement simulé pour la démonstration de CityPocket.",
                description_en="An event simulated for the CityPocket demo.",
            ))
        summary = import_events(city=city, parsed=ParsedEvents(records=records), source="demo", is_demo=True,
                                note="CityPocket demo (simulated event)")
        # An agenda feed names its categories in one language; the demo's get their English name too.
        for name_fr, name_en in CATEGORY_NAMES_EN.items():
            EventCategory.objects.filter(city=city, name_fr=name_fr, name_en="").update(name_en=name_en)
        counts.append(f"{slug}: {summary}")
    return "events " + "; ".join(counts)


# --- News: SIMULATED articles (titles end with "(démo)"), published from a fixed date.

ARTICLES = {
    "rouen": [
        ("travaux-quais", "works", "Travaux sur les quais rive droite (démo)", "Works on the right-bank quays (demo)",
         "La circulation est réduite à une voie pendant trois semaines.",
         "Traffic is down to one lane for three weeks.",
         "<p>Des travaux de réfection de la chaussée ont lieu sur les quais. Les vélos gardent leur piste.</p>",
         "<p>The road surface of the quays is being renewed. Cyclists keep their lane.</p>"),
        ("bibliotheques-horaires", "services", "Nouveaux horaires des bibliothèques (démo)",
         "New library opening hours (demo)", "Les bibliothèques ouvrent plus tard le samedi.",
         "Libraries stay open later on Saturdays.",
         "<p>Retrouvez les horaires de chaque bibliothèque sur la page <strong>Lieux</strong>.</p>",
         "<p>Each library's hours are on the <strong>Places</strong> page.</p>"),
    ],
    "aix-en-provence": [
        ("canicule", "environment", "Épisode de chaleur : les fontaines à boire (démo)",
         "Heatwave: where to drink water (demo)", "Les fontaines à boire de la ville sont sur la carte des lieux.",
         "The city's drinking fountains are on the places map.",
         "<p>Buvez régulièrement et repérez les fontaines à boire près de chez vous.</p>",
         "<p>Drink often and find the drinking fountains near you.</p>"),
    ],
}


def load_articles() -> str:
    """Ensures the demo articles; running it again changes nothing."""
    created = 0
    published = datetime(2026, 11, 1, 9, tzinfo=ZoneInfo("Europe/Paris"))
    for slug, rows in ARTICLES.items():
        city = City.objects.filter(slug=slug).first()
        if city is None:
            continue
        for key, category, title_fr, title_en, summary_fr, summary_en, body_fr, body_en in rows:
            _article, was_created = Article.objects.get_or_create(city=city, slug=key, defaults={
                "category": category, "title_fr": title_fr, "title_en": title_en, "summary_fr": summary_fr,
                "summary_en": summary_en, "body_fr": sanitise_html(body_fr), "body_en": sanitise_html(body_en),
                "publish_at": published, "is_demo": True,
            })
            created += was_created
    return f"articles: {created} created"
