"""Demo addresses, collection zones and sorting guides of Rouen and Aix-en-Provence (SIMULATED; see
`demo_data/SOURCES.md`). Loaded by `cityinfo.demo.load`; running it again changes nothing."""

from datetime import date
from pathlib import Path

from django.db import transaction

from citypocket.cities.models import City
from citypocket.cityinfo.addresses import read_ban_csv
from citypocket.cityinfo.waste_models import CollectionRule, SortingItem, WasteZone, WasteZoneStreet
from citypocket.cityinfo.waste_services import import_addresses

ADDRESSES = Path(__file__).parent / "demo_data" / "adresses-demo.csv"
PROVENANCE = "CityPocket demo: zones, days and holiday rules SIMULATED (demo_data/SOURCES.md)"
ROUEN_BULKY = "https://www.metropole-rouen-normandie.fr/"
AIX_BULKY = "https://www.ampmetropole.fr/"

HOUSE_FR, HOUSE_EN = "La veille au soir, après 19 h", "The evening before, after 7 pm"

# zone slug: (name_fr, name_en, bulky url, streets [(street, from, to, parity)], rules
# [(stream, first date, rrule, holiday shift)])
ZONES = {
    "rouen": {
        "rive-droite": ("Rive droite — centre (démo)", "Right bank — centre (demo)", ROUEN_BULKY, [
            ("Rue Jeanne d'Arc", None, None, "all"), ("Rue du Gros Horloge", None, None, "all"),
            ("Place du Vieux Marché", None, None, "all"), ("Rue Beauvoisine", None, None, "all"),
            ("Rue Saint-Romain", None, None, "all"), ("Rue Eau de Robec", None, None, "all"),
            ("Rue de la République", 1, 59, "all"),
        ], [
            ("household", date(2026, 1, 1), "FREQ=WEEKLY;BYDAY=MO,TH", "next_day"),
            ("recycling", date(2026, 1, 1), "FREQ=WEEKLY;BYDAY=WE", "next_day"),
            # Every other Friday from 9 January 2026: 25 December 2026 is one (moved to the 26th).
            ("glass", date(2026, 1, 9), "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "next_day"),
            ("green", date(2026, 3, 1), "FREQ=WEEKLY;BYDAY=TU;BYMONTH=3,4,5,6,7,8,9,10,11", "skip"),
        ]),
        "rive-gauche": ("Rive gauche et quais (démo)", "Left bank and quays (demo)", ROUEN_BULKY, [
            ("Avenue de Bretagne", None, None, "all"), ("Rue Saint-Sever", None, None, "all"),
            ("Quai Cavelier de la Salle", None, None, "all"), ("Rue de la République", 60, None, "all"),
        ], [
            ("household", date(2026, 1, 1), "FREQ=WEEKLY;BYDAY=TU,FR", "next_day"),
            ("recycling", date(2026, 1, 1), "FREQ=WEEKLY;BYDAY=TH", "next_day"),
            ("glass", date(2026, 1, 7), "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "next_day"),
            ("green", date(2026, 3, 1), "FREQ=WEEKLY;BYDAY=MO;BYMONTH=3,4,5,6,7,8,9,10,11", "skip"),
        ]),
    },
    "aix-en-provence": {
        "centre-ancien": ("Centre ancien (démo)", "Old town (demo)", AIX_BULKY, [
            ("Cours Mirabeau", None, None, "all"), ("Rue Espariat", None, None, "all"),
            ("Rue d'Italie", None, None, "all"), ("Place des Cardeurs", None, None, "all"),
            ("Rue Mignet", None, None, "all"), ("Boulevard du Roi René", None, None, "odd"),
        ], [
            ("household", date(2026, 1, 1), "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA", "keep"),
            ("recycling", date(2026, 1, 1), "FREQ=WEEKLY;BYDAY=TU,FR", "next_day"),
            ("glass", date(2026, 1, 5), "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "next_day"),
        ]),
        "aix-sud": ("Aix sud (démo)", "Aix south (demo)", AIX_BULKY, [
            ("Boulevard du Roi René", None, None, "even"), ("Route de Galice", None, None, "all"),
            ("Avenue des Écoles Militaires", None, None, "all"),
        ], [
            ("household", date(2026, 1, 1), "FREQ=WEEKLY;BYDAY=MO,WE,FR", "next_day"),
            ("recycling", date(2026, 1, 1), "FREQ=WEEKLY;BYDAY=TH", "next_day"),
            ("glass", date(2026, 1, 8), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "next_day"),
            ("green", date(2026, 3, 1), "FREQ=WEEKLY;BYDAY=WE;BYMONTH=3,4,5,6,7,8,9,10,11", "skip"),
        ]),
    },
}

# (name_fr, name_en, synonyms_fr, synonyms_en, stream, advice_fr, advice_en)
GUIDE = [
    ("Bouteille en verre", "Glass bottle", "bouteille de vin, flacon", "wine bottle, flask", "glass",
     "Sans bouchon ni capsule, inutile de la rincer.", "Without cap or cork; no need to rinse it."),
    ("Pot de confiture", "Jam jar", "bocal, pot en verre", "glass jar", "glass",
     "Le couvercle va dans le bac de tri.", "The lid goes in the recycling bin."),
    ("Vaisselle cassée", "Broken crockery", "assiette, verre à boire, tasse", "plate, drinking glass, mug",
     "household", "Ni le verre à boire ni la porcelaine ne se recyclent avec les bouteilles.",
     "Drinking glasses and china are not recycled with bottles."),
    ("Bouteille en plastique", "Plastic bottle", "flacon plastique, bidon", "plastic flask", "recycling",
     "Vide, bouchon vissé.", "Empty, with its cap on."),
    ("Pot de yaourt", "Yoghurt pot", "barquette, film plastique, sachet", "tray, plastic film, bag", "recycling",
     "Tous les emballages vont au tri : bien vidés, non emboîtés.", "All packaging is recycled: empty, not nested."),
    ("Carton", "Cardboard box", "boîte en carton, emballage carton", "carton, cardboard packaging", "recycling",
     "Plié ; les grands cartons vont à la déchèterie.", "Folded; large boxes go to the recycling centre."),
    ("Journal", "Newspaper", "magazine, prospectus, papier", "magazine, leaflet, paper", "recycling",
     "Sans film plastique.", "Without its plastic wrap."),
    ("Canette", "Drink can", "boîte de conserve, aérosol vide", "tin can, empty aerosol", "recycling",
     "Vide.", "Empty."),
    ("Couche", "Nappy", "couche bébé, lingette", "diaper, wipe", "household", "", ""),
    ("Mouchoir en papier", "Paper tissue", "essuie-tout, serviette en papier", "kitchen roll, paper napkin",
     "household", "Souillés, ils ne se recyclent pas.", "Soiled paper is not recycled."),
    ("Épluchures", "Vegetable peelings", "restes de repas, marc de café", "food scraps, coffee grounds",
     "household", "Ou au composteur.", "Or in the compost bin."),
    ("Tonte de gazon", "Grass cuttings", "herbe, feuilles mortes", "grass, dead leaves", "green",
     "En sac ouvert ou en fagot.", "In an open bag or a bundle."),
    ("Branches", "Branches", "taille de haie, branchage", "hedge trimmings, twigs", "green",
     "En fagots de moins d'1,50 m.", "In bundles shorter than 1.5 m."),
    ("Pile", "Battery", "batterie, accumulateur", "cell, rechargeable battery", "take_back",
     "Dans les bornes des magasins ou à la déchèterie.",
     "In the collection boxes of shops or at the recycling centre."),
    ("Ampoule", "Light bulb", "néon, lampe basse consommation", "neon tube, energy-saving lamp", "take_back",
     "Au magasin ou à la déchèterie ; jamais avec le verre.", "To a shop or the recycling centre; never with glass."),
    ("Médicaments", "Medicines", "comprimés, sirop", "pills, syrup", "take_back",
     "À la pharmacie ; la boîte en carton va au tri.", "To a pharmacy; the cardboard box goes to recycling."),
    ("Matelas", "Mattress", "sommier", "bed base", "bulky", "Sur rendez-vous, ou à la déchèterie.",
     "On appointment, or at the recycling centre."),
    ("Canapé", "Sofa", "fauteuil, meuble", "armchair, furniture", "bulky", "Sur rendez-vous, ou à la déchèterie.",
     "On appointment, or at the recycling centre."),
    ("Pot de peinture", "Paint tin", "solvant, vernis, produit chimique", "solvent, varnish, chemical",
     "recycling_centre", "Jamais à l'égout ni à la poubelle.", "Never down the drain nor in the bin."),
    ("Huile de vidange", "Engine oil", "huile moteur, huile de friture", "motor oil, frying oil", "recycling_centre",
     "En bidon fermé.", "In a closed can."),
]


@transaction.atomic
def load_waste() -> str:
    counts = []
    for slug, zones in ZONES.items():
        city = City.objects.filter(slug=slug).first()
        if city is None:
            continue
        parsed = read_ban_csv(ADDRESSES.read_bytes(), citycodes=set(city.insee_codes or []))
        summary = import_addresses(city=city, parsed=parsed, source="demo", is_demo=True)
        for zone_slug, (name_fr, name_en, bulky_url, streets, rules) in zones.items():
            zone, _created = WasteZone.objects.update_or_create(
                city=city, slug=zone_slug, defaults={
                    "name_fr": name_fr, "name_en": name_en, "bulky_url": bulky_url, "provenance": PROVENANCE,
                    "is_demo": True})
            if not zone.streets.exists():
                for street, first, last, parity in streets:
                    WasteZoneStreet.objects.create(zone=zone, street=street, number_from=first, number_to=last,
                                                   parity=parity)
            for stream, starts_on, rule, shift in rules:
                CollectionRule.objects.update_or_create(zone=zone, stream=stream, defaults={
                    "starts_on": starts_on, "rrule": rule, "holiday_shift": shift,
                    "put_out_fr": HOUSE_FR, "put_out_en": HOUSE_EN})
            CollectionRule.objects.update_or_create(zone=zone, stream="bulky", defaults={
                "starts_on": date(2026, 1, 1), "rrule": "", "on_appointment": True})
        for name_fr, name_en, syn_fr, syn_en, stream, advice_fr, advice_en in GUIDE:
            item = SortingItem.objects.filter(city=city, name_fr=name_fr).first() or SortingItem(
                city=city, name_fr=name_fr)
            item.name_en, item.synonyms_fr, item.synonyms_en = name_en, syn_fr, syn_en
            item.stream, item.advice_fr, item.advice_en, item.is_demo = stream, advice_fr, advice_en, True
            item.save()
        counts.append(f"{slug}: addresses {summary}, {len(zones)} zones, {len(GUIDE)} guide items")
    return "waste " + "; ".join(counts)
