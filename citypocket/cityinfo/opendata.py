"""City information's open datasets (opendata.registry): the agenda's events and the places and
public services, both as their public pages show them (published events, active places), and the waste collection
calendar (one row per round and stream)."""

from citypocket.cityinfo.models import CollectionRule, Event, Place
from citypocket.opendata.registry import Field, PlatformDataset, register

register(PlatformDataset(
    slug="events",
    title_fr="Agenda des événements",
    title_en="Events calendar",
    description_fr=("Les événements publiés de l'agenda de la ville : titre, début et fin de la première "
                    "occurrence (UTC), règle de récurrence (RRULE, RFC 5545, dans le fuseau de la ville), "
                    "lieu, gratuité, accessibilité et statut. Une série récurrente est une seule ligne."),
    description_en=("The published events of the city's agenda: title, start and end of the first occurrence "
                    "(UTC), recurrence rule (RRULE, RFC 5545, in the city's time zone), venue, free entry, "
                    "accessibility and status. A recurring series is one row."),
    fields=(
        Field("slug", "string", "Identifiant", "Identifier", sortable=True),
        Field("title_fr", "string", "Titre (français)", "Title (French)"),
        Field("title_en", "string", "Titre (anglais)", "Title (English)"),
        Field("starts_at", "datetime", "Début de la première occurrence (UTC)", "Start of the first occurrence (UTC)",
              sortable=True),
        Field("ends_at", "datetime", "Fin de la première occurrence (UTC)", "End of the first occurrence (UTC)"),
        Field("rrule", "string", "Règle de récurrence (RFC 5545), vide si unique",
              "Recurrence rule (RFC 5545), empty when once"),
        Field("series_ends_at", "datetime", "Fin de la dernière occurrence (vide : sans fin)",
              "End of the last occurrence (empty: endless)"),
        Field("venue_slug", "string", "Lieu (identifiant du jeu « places »)",
              "Venue (identifier in the places dataset)", source="venue__slug"),
        Field("location", "string", "Lieu (texte libre)", "Location (free text)"),
        Field("lon", "number", "Longitude du lieu", "Venue longitude", source="venue__lon"),
        Field("lat", "number", "Latitude du lieu", "Venue latitude", source="venue__lat"),
        Field("is_free", "boolean", "Gratuit", "Free entry"),
        Field("price", "string", "Tarif", "Price"),
        Field("wheelchair", "boolean", "Accessible en fauteuil roulant", "Wheelchair accessible"),
        Field("status", "string", "Statut (scheduled, cancelled, postponed, full)",
              "Status (scheduled, cancelled, postponed, full)"),
        Field("booking_url", "string", "Réservation", "Booking link"),
    ),
    key=("slug",),
    queryset=lambda city: Event.objects.filter(city=city, is_published=True),
    lon_field="lon",
    lat_field="lat",
    time_field="starts_at",
    modified_field="updated_at",
    themes=("SOCI", "REGI"),
    keywords_fr=("agenda", "événements", "culture", "sorties"),
    keywords_en=("agenda", "events", "culture", "what's on"),
    accrual_periodicity="DAILY",
    provenance_fr="L'agenda de la ville sur CityPocket (saisi par la ville ou importé de ses flux iCalendar et "
                  "OpenAgenda).",
    provenance_en="The city's agenda on CityPocket (entered by the city or imported from its iCalendar and "
                  "OpenAgenda feeds).",
))

register(PlatformDataset(
    slug="places",
    title_fr="Lieux et services publics",
    title_en="Places and public services",
    description_fr=("Mairies, bibliothèques, piscines, musées, déchèteries, toilettes, fontaines, "
                    "défibrillateurs… : position, adresse, contact, accessibilité et horaires d'ouverture "
                    "(syntaxe OpenStreetMap opening_hours)."),
    description_en=("Town halls, libraries, pools, museums, recycling centres, toilets, fountains, "
                    "defibrillators…: position, address, contact, accessibility and opening hours "
                    "(OpenStreetMap opening_hours syntax)."),
    fields=(
        Field("slug", "string", "Identifiant", "Identifier", sortable=True),
        Field("name", "string", "Nom", "Name", sortable=True),
        Field("kind", "string", "Type (town_hall, library, pool…)", "Kind (town_hall, library, pool…)"),
        Field("address", "string", "Adresse", "Address"),
        Field("lon", "number", "Longitude (WGS 84)", "Longitude (WGS 84)"),
        Field("lat", "number", "Latitude (WGS 84)", "Latitude (WGS 84)"),
        Field("phone", "string", "Téléphone", "Phone"),
        Field("website", "string", "Site web", "Website"),
        Field("wheelchair", "string", "Accès fauteuil (yes, limited, no, vide : inconnu)",
              "Wheelchair access (yes, limited, no, empty: unknown)"),
        Field("opening_hours", "string", "Horaires (OpenStreetMap opening_hours)",
              "Opening hours (OpenStreetMap opening_hours)"),
        Field("source", "string", "Source des faits (osm, csv, demo…)", "Source of the facts (osm, csv, demo…)"),
    ),
    key=("slug",),
    queryset=lambda city: Place.objects.filter(city=city, is_active=True),
    lon_field="lon",
    lat_field="lat",
    modified_field="updated_at",
    themes=("REGI", "GOVE"),
    keywords_fr=("équipements publics", "horaires", "accessibilité"),
    keywords_en=("public facilities", "opening hours", "accessibility"),
    accrual_periodicity="IRREG",
    provenance_fr="Les lieux de la ville sur CityPocket ; importés d'OpenStreetMap, ils en gardent la licence "
                  "(© les contributeurs d'OpenStreetMap, ODbL 1.0), indiquée dans la colonne source.",
    provenance_en="The city's places on CityPocket; imported from OpenStreetMap, they keep its licence "
                  "(© OpenStreetMap contributors, ODbL 1.0), told by the source column.",
))

register(PlatformDataset(
    slug="waste-collection",
    title_fr="Calendrier de collecte des déchets",
    title_en="Waste collection calendar",
    description_fr=("Les jours de collecte de chaque secteur et de chaque flux (ordures ménagères, recyclables, "
                    "verre, déchets verts ; encombrants sur rendez-vous) : règle de récurrence (RRULE, RFC 5545), "
                    "période, et ce qu'un jour férié change. Les rues de chaque secteur sont dans l'API "
                    "(/waste/zones)."),
    description_en=("The collection days of each round and each stream (household waste, recycling, glass, "
                    "green waste; bulky items on appointment): recurrence rule (RRULE, RFC 5545), period, and "
                    "what a public holiday changes. Each round's streets are in the API (/waste/zones)."),
    fields=(
        Field("zone_slug", "string", "Secteur (identifiant)", "Round (identifier)", source="zone__slug", sortable=True),
        Field("zone_name", "string", "Secteur", "Round", source="zone__name_fr"),
        Field("stream", "string", "Flux (household, recycling, glass, green, bulky)",
              "Stream (household, recycling, glass, green, bulky)", sortable=True),
        Field("rrule", "string", "Règle de récurrence (RFC 5545), vide sur rendez-vous",
              "Recurrence rule (RFC 5545), empty on appointment"),
        Field("starts_on", "date", "Première collecte", "First collection"),
        Field("ends_on", "date", "Dernière collecte (vide : sans fin)", "Last collection (empty: no end)"),
        Field("on_appointment", "boolean", "Sur rendez-vous", "On appointment"),
        Field("holiday_shift", "string", "Un jour férié : next_day (reportée), skip (pas de collecte), keep",
              "On a public holiday: next_day (moved), skip (no collection), keep"),
        Field("simulated", "boolean", "Donnée de démonstration (simulée)", "Demo data (simulated)",
              source="zone__is_demo"),
    ),
    key=("zone_slug", "stream"),
    queryset=lambda city: CollectionRule.objects.filter(zone__city=city).order_by("zone__slug", "stream"),
    themes=("ENVI", "GOVE"),
    keywords_fr=("déchets", "collecte", "tri", "calendrier"),
    keywords_en=("waste", "collection", "recycling", "calendar"),
    accrual_periodicity="IRREG",
    provenance_fr="Les secteurs et règles de collecte saisis par la ville dans CityPocket.",
    provenance_en="The collection rounds and rules entered by the city in CityPocket.",
))
