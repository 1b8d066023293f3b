"""Demo data for Rouen and Aix-en-Provence: safe places, awareness articles and filmed zones.

Every venue and camera zone here is INVENTED for the demo (names end with "(démo)", `is_demo`
is set): plausible places at real squares, not real partners of any "Demandez Angela" network.

Hotspots: so that the public hotspot map has something to show, the demo adds SIMULATED reports
for the month two months back, in the shape a report keeps after the retention period (closed,
anonymised: category, role, month, H3 cell; no place, time, text or contact). Two cells per city
get more reports than the publication threshold k; nobody reported them. Their receipt digest
starts with "demo" (a real one is a SHA-256 of a secret code), so they can be told apart and
removed: `HarassmentReport.objects.filter(receipt_hash__startswith="demo")`.
"""

import datetime as dt

from django.utils import timezone

from citypocket.cities.models import City
from citypocket.safety.hotspots import cell_of, hotspot_k
from citypocket.safety.models import AwarenessArticle, FilmedZone, HarassmentReport, SafePlace, Status

LATE = {day: [["10:00", "02:00"]] for day in ("tue", "wed", "thu", "fri", "sat")}
SHOP = {day: [["09:00", "19:30"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
OFFICE = {day: [["08:30", "17:30"]] for day in ("mon", "tue", "wed", "thu", "fri")}

PLACES = {
    "rouen": [
        ("Bar Le Vieux-Marché (démo)", "bar", "Place du Vieux-Marché, 76000 Rouen", 49.44285, 1.08780, LATE),
        ("Pharmacie du Gros-Horloge (démo)", "pharmacy", "Rue du Gros-Horloge, 76000 Rouen", 49.44115, 1.09155, SHOP),
        ("Librairie de la Cathédrale (démo)", "shop", "Rue des Carmes, 76000 Rouen", 49.44135, 1.09640, SHOP),
        ("Accueil de la gare Rive-Droite (démo)", "public_building",
         "Place Bernard-Tissot, 76000 Rouen", 49.44885, 1.09395, ALWAYS),
        ("Mairie de Rouen — accueil (démo)", "public_building",
         "Place du Général-de-Gaulle, 76000 Rouen", 49.44300, 1.09950, OFFICE),
    ],
    "aix-en-provence": [
        ("Café de la Rotonde (démo)", "bar", "Place de la Rotonde, 13100 Aix-en-Provence", 43.52640, 5.44560, LATE),
        ("Pharmacie du Cours Mirabeau (démo)", "pharmacy",
         "Cours Mirabeau, 13100 Aix-en-Provence", 43.52635, 5.44790, SHOP),
        ("Librairie des Prêcheurs (démo)", "shop",
         "Place des Prêcheurs, 13100 Aix-en-Provence", 43.52955, 5.45020, SHOP),
        ("Hôtel de Ville — accueil (démo)", "public_building",
         "Place de l'Hôtel de Ville, 13100 Aix-en-Provence", 43.52980, 5.44740, OFFICE),
        ("Gare routière — point accueil (démo)", "public_building",
         "Avenue de l'Europe, 13100 Aix-en-Provence", 43.52330, 5.44300, ALWAYS),
    ],
}

ZONES = {
    "rouen": [
        {"name": "Place du Vieux-Marché (démo)", "lat": 49.44285, "lon": 1.08780, "radius_m": 80},
        {"name": "Abords de la gare Rive-Droite (démo)", "lat": 49.44885, "lon": 1.09395, "radius_m": 120},
    ],
    "aix-en-provence": [
        {"name": "Cours Mirabeau (démo)", "polygon": {"type": "Polygon", "coordinates": [[
            [5.44480, 43.52615], [5.45030, 43.52645], [5.45030, 43.52675], [5.44480, 43.52650], [5.44480, 43.52615]]]}},
        {"name": "Place de la Rotonde (démo)", "lat": 43.52640, "lon": 5.44560, "radius_m": 90},
    ],
}

ARTICLES = [
    {
        "slug": "street-harassment",
        "title_fr": "Le harcèlement de rue, c'est quoi ?",
        "title_en": "What is street harassment?",
        "body_fr": (
            "Le harcèlement de rue, ce sont des propos, des gestes ou des comportements à caractère sexuel ou "
            "sexiste imposés à quelqu'un dans l'espace public : commentaires sur le physique, sifflements, "
            "insultes, regards insistants, le fait de suivre une personne, de se frotter à elle dans les "
            "transports, de l'exhiber ou de la menacer.\n\n"
            "Ce n'est ni de la drague ni un compliment : la drague suppose que l'autre est d'accord et peut "
            "dire non sans crainte. Le harcèlement, lui, humilie, intimide et restreint la liberté d'aller et "
            "venir.\n\n"
            "Ce n'est jamais la faute de la personne qui le subit, quels que soient sa tenue, l'heure ou le "
            "lieu. Signaler, même anonymement, aide la ville à agir là où c'est nécessaire."
        ),
        "body_en": (
            "Street harassment means sexual or sexist remarks, gestures or behaviour forced on someone in a "
            "public space: comments on their body, whistling, insults, staring, following a person, rubbing "
            "against them on public transport, exposing oneself, or threatening them.\n\n"
            "It is neither flirting nor a compliment: flirting assumes the other person agrees and can say no "
            "without fear. Harassment humiliates, intimidates and limits people's freedom to move around.\n\n"
            "It is never the fault of the person who experiences it, whatever their clothes, the time or the "
            "place. Reporting it, even anonymously, helps the city act where it is needed."
        ),
    },
    {
        "slug": "the-law",
        "title_fr": "Ce que dit la loi : l'outrage sexiste et sexuel",
        "title_en": "What the law says: sexist and sexual insult",
        "body_fr": (
            "Le Code pénal punit l'outrage sexiste et sexuel : imposer à une personne un propos ou un "
            "comportement à connotation sexuelle ou sexiste qui porte atteinte à sa dignité en raison de son "
            "caractère dégradant ou humiliant, ou qui crée à son encontre une situation intimidante, hostile "
            "ou offensante.\n\n"
            "Depuis la loi du 24 janvier 2023, l'outrage est une contravention de 5e classe (jusqu'à 1 500 € "
            "d'amende) et devient un délit lorsqu'il est aggravé (article 222-33-1-1 du Code pénal) : "
            "notamment s'il est commis dans les transports en commun, par plusieurs personnes, sur un mineur, "
            "sur une personne vulnérable, par une personne abusant de son autorité ou en raison de "
            "l'orientation sexuelle ou de l'identité de genre, ou en récidive. Il est alors puni de 3 750 € "
            "d'amende.\n\n"
            "Les faits plus graves relèvent d'autres infractions : agression sexuelle (un contact physique "
            "imposé), exhibition sexuelle, harcèlement sexuel, menaces. Vous pouvez porter plainte au "
            "commissariat ou à la gendarmerie, ou échanger d'abord avec un policier ou un gendarme sur "
            "arretonslesviolences.gouv.fr."
        ),
        "body_en": (
            "The French Criminal Code punishes sexist and sexual insult (outrage sexiste et sexuel): forcing "
            "on someone a remark or behaviour with a sexual or sexist connotation that harms their dignity "
            "because it is degrading or humiliating, or that creates an intimidating, hostile or offensive "
            "situation for them.\n\n"
            "Since the law of 24 January 2023, it is a 5th-class petty offence (a fine of up to €1,500) and "
            "becomes a misdemeanour when aggravated (article 222-33-1-1 of the Criminal Code): for example "
            "on public transport, by several people, against a minor or a vulnerable person, by someone "
            "abusing their authority, because of sexual orientation or gender identity, or when repeated. "
            "It is then punished by a €3,750 fine.\n\n"
            "More serious acts are other offences: sexual assault (imposed physical contact), sexual "
            "exhibition, sexual harassment, threats. You can file a complaint at a police or gendarmerie "
            "station, or first talk with an officer online at arretonslesviolences.gouv.fr."
        ),
    },
    {
        "slug": "bystander-5d",
        "title_fr": "Témoin : comment agir sans se mettre en danger (les 5D)",
        "title_en": "Witness: how to act without putting yourself at risk (the 5Ds)",
        "body_fr": (
            "Distraire : créez une diversion pour interrompre la scène — demander l'heure ou son chemin à la "
            "personne harcelée, faire tomber quelque chose, engager la conversation comme si vous la "
            "connaissiez.\n\n"
            "Déléguer : demandez de l'aide à quelqu'un d'autre — un chauffeur de bus, un agent, le personnel "
            "d'un commerce, un lieu sûr de ce réseau — ou appelez le 17.\n\n"
            "Documenter : si quelqu'un aide déjà et à distance sûre, filmez ou notez l'heure et le lieu. Ne "
            "publiez rien : remettez les images à la personne harcelée, c'est à elle de décider.\n\n"
            "Dialoguer après : allez voir la personne une fois la scène finie, demandez-lui comment elle va, "
            "si elle a besoin de quelque chose, et indiquez-lui les numéros d'aide.\n\n"
            "Dire : si vous vous sentez en sécurité, dites fermement et brièvement à l'agresseur que son "
            "comportement est inacceptable, puis occupez-vous de la personne harcelée sans entrer dans un "
            "débat."
        ),
        "body_en": (
            "Distract: create a diversion to interrupt the scene — ask the person being harassed for the time "
            "or directions, drop something, start a conversation as if you knew them.\n\n"
            "Delegate: ask someone else for help — a bus driver, a security guard, shop staff, a safe place "
            "of this network — or call 17.\n\n"
            "Document: if someone is already helping and you are at a safe distance, film or write down the "
            "time and place. Never post it: give it to the person harassed, it is their choice.\n\n"
            "Delay: once it is over, go to the person, ask how they are and whether they need anything, and "
            "give them the support numbers.\n\n"
            "Direct: if you feel safe, tell the harasser firmly and briefly that their behaviour is not "
            "acceptable, then turn to the person harassed without starting an argument."
        ),
    },
    {
        "slug": "support",
        "title_fr": "Où trouver de l'aide",
        "title_en": "Where to get support",
        "body_fr": (
            "En danger immédiat : appelez le 17 (police) ou le 112. Si vous ne pouvez pas parler ou êtes "
            "sourd ou malentendant, envoyez un SMS au 114.\n\n"
            "Pour être écoutée et conseillée : le 3919 (Violences Femmes Info) est gratuit, anonyme et "
            "ouvert 24 h/24. Le 116 006 (France Victimes) aide toutes les victimes et vous oriente vers "
            "l'association d'aide aux victimes de votre département.\n\n"
            "Pour parler à un policier ou un gendarme en ligne, y compris anonymement : "
            "arretonslesviolences.gouv.fr. Les lieux sûrs de cette page vous accueillent si vous vous sentez "
            "en danger dans la rue."
        ),
        "body_en": (
            "In immediate danger: call 17 (police) or 112. If you cannot speak or are deaf or hard of "
            "hearing, text 114.\n\n"
            "To be listened to and advised: 3919 (Violences Femmes Info) is free, anonymous and open 24/7. "
            "116 006 (France Victimes) helps every victim and directs you to the victim-support association "
            "of your département.\n\n"
            "To talk with a police officer or gendarme online, anonymously if you wish: "
            "arretonslesviolences.gouv.fr. The safe places on this page welcome you if you feel in danger "
            "in the street."
        ),
    },
]


# Simulated hotspots: (lat, lon) of the cell's centre area, then categories in turn (two groups of 5 or more).
HOTSPOTS = {
    "rouen": [(49.44285, 1.08780), (49.44885, 1.09395)],
    "aix-en-provence": [(43.52640, 5.44560), (43.52980, 5.44740)],
}
HOTSPOT_CATEGORIES = ("verbal", "following", "verbal", "touching", "threats", "unsafe_place")


def demo_month(today: dt.date) -> dt.date:
    """The first day of the month two months before `today`'s: always past its publication date."""
    previous = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return (previous - dt.timedelta(days=1)).replace(day=1)


def load_hotspots(city: City, *, today: dt.date | None = None) -> int:
    """SIMULATED anonymised reports above the threshold in two cells of the city, for one past month."""
    today = today or timezone.localdate()
    period = demo_month(today)
    count = hotspot_k() + 3
    made = 0
    for spot, (lat, lon) in enumerate(HOTSPOTS.get(city.slug, [])):
        for index in range(count):
            _report, created = HarassmentReport.objects.get_or_create(
                receipt_hash=f"demo-{city.slug}-{period:%Y-%m}-{spot}-{index}",
                defaults={
                    "city": city, "category": HOTSPOT_CATEGORIES[index % len(HOTSPOT_CATEGORIES)],
                    "reporter_role": "witness" if index % 3 == 0 else "victim", "period": period,
                    "h3_cell": cell_of(lat, lon), "status": Status.CLOSED, "received_on": period + dt.timedelta(days=9),
                    "closed_on": period + dt.timedelta(days=20), "anonymised_on": period + dt.timedelta(days=25),
                },
            )
            made += created
    return made


def load_demo() -> str:
    """Idempotent: ensures the demo safe places, articles and filmed zones of the demo cities."""
    places = zones = articles = 0
    for city in City.objects.filter(slug__in=PLACES):
        for name, kind, address, lat, lon, hours in PLACES[city.slug]:
            SafePlace.objects.update_or_create(
                city=city, name=name, address=address,
                defaults={"kind": kind, "lat": lat, "lon": lon, "opening_hours": hours, "is_demo": True,
                          "charter_signed_on": dt.date(2025, 3, 8), "trained_on": dt.date(2025, 4, 2)},
            )
            places += 1
        for zone in ZONES[city.slug]:
            FilmedZone.objects.update_or_create(
                city=city, name=zone["name"],
                defaults={
                    "lat": zone.get("lat"), "lon": zone.get("lon"), "radius_m": zone.get("radius_m"),
                    "polygon": zone.get("polygon"), "is_demo": True,
                    "operator": f"Police municipale — {city.name} (démo)",
                    "purpose": "Prévention des atteintes à la sécurité des personnes et des biens (démo)",
                    "retention_days": 15,
                    "rights_contact": "Délégué à la protection des données de la ville : dpo@example.org (démo)",
                },
            )
            zones += 1
        for order, article in enumerate(ARTICLES):
            AwarenessArticle.objects.update_or_create(
                city=city, slug=article["slug"],
                defaults={**{k: v for k, v in article.items() if k != "slug"}, "order": order, "is_demo": True},
            )
            articles += 1
        load_hotspots(city)
    reports = HarassmentReport.objects.filter(receipt_hash__startswith="demo-").count()
    return (f"{places} safe places, {articles} articles, {zones} filmed zones, "
            f"{reports} simulated anonymised reports for the hotspots (demo)")
