"""The mobility app's open datasets: car parks after the national schema, their occupancy history, and
the readings of the traffic counting points.

Car parks and their occupancy are high-value datasets (Regulation (EU) 2023/138, "Mobility"); traffic
counts are not in that regulation's list and carry no HVD category.
"""

from citypocket.mobility import representations
from citypocket.mobility.selectors import list_car_parks
from citypocket.opendata import vocabularies as voc
from citypocket.opendata.registry import Field, PlatformDataset, register
from citypocket.sensors.models import Observation, SensorKind

COMMON = {
    "themes": ("TRAN",),
    "hvd_category": voc.HVD_MOBILITY,
    "keywords_fr": ("stationnement", "parking", "mobilité"),
    "keywords_en": ("parking", "car park", "mobility"),
}

# The fields of the national schema "Lieux de stationnement" v0.1.5 (schema.data.gouv.fr), in its
# order and with its types: the CSV export of this dataset is a file of that schema.
NATIONAL_FIELDS = (
    ("id", "string"), ("nom", "string"), ("insee", "string"), ("adresse", "string"), ("url", "string"),
    ("type_usagers", "string"), ("gratuit", "boolean"), ("nb_places", "integer"), ("nb_pr", "integer"),
    ("nb_pmr", "integer"), ("nb_voitures_electriques", "integer"), ("nb_velo", "integer"),
    ("nb_2r_el", "integer"), ("nb_autopartage", "integer"), ("nb_2_rm", "integer"), ("nb_covoit", "integer"),
    ("hauteur_max", "string"), ("num_siret", "string"), ("Xlong", "number"), ("Ylat", "number"),
    ("tarif_pmr", "string"), ("tarif_1h", "number"), ("tarif_2h", "number"), ("tarif_3h", "number"),
    ("tarif_4h", "number"), ("tarif_24h", "number"), ("abo_resident", "number"),
    ("abo_non_resident", "number"), ("type_ouvrage", "string"), ("info", "string"),
)


def _typed(kind: str, value):
    if value in ("", None):
        return None
    if kind == "boolean":
        return value in (True, "true")
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    return str(value)


def car_park_rows(city) -> list[dict]:
    """The city's car parks as rows of the national schema (those missing a required value are left out,
    as in the `?format=csv` list of the mobility API)."""
    insee = (city.insee_codes or [""])[0]
    rows = []
    for car_park in sorted(list_car_parks(city=city), key=lambda c: c.national_id or c.slug):
        row = representations.csv_row(car_park, insee=insee)
        if row is not None:
            rows.append({name: _typed(kind, row.get(name)) for name, kind in NATIONAL_FIELDS})
    return rows


register(PlatformDataset(
    slug="car-parks",
    title_fr="Lieux de stationnement",
    title_en="Car parks",
    description_fr=("Les parkings de la ville au schéma national « Lieux de stationnement » : capacité, places "
                    "PMR et recharge électrique, hauteur maximale, tarifs, position."),
    description_en=('The city\'s car parks in the national schema "Lieux de stationnement": capacity, '
                    "disabled-badge and EV places, maximum height, prices, position."),
    fields=tuple(Field(name, kind, sortable=name in ("id", "nom")) for name, kind in NATIONAL_FIELDS),
    key=("id",),
    rows=car_park_rows,
    lon_field="Xlong",
    lat_field="Ylat",
    accrual_periodicity="IRREG",
    conforms_to=voc.SCHEMA_STATIONNEMENT,
    provenance_fr="Référentiel des parkings tenu par la ville sur CityPocket.",
    provenance_en="The car-park register kept by the city on CityPocket.",
    **COMMON,
))

register(PlatformDataset(
    slug="car-park-occupancy",
    title_fr="Historique de l'occupation des parkings",
    title_en="Car-park occupancy history",
    description_fr="Chaque relevé du nombre de places libres de chaque parking, avec son heure (UTC).",
    description_en="Every reading of the number of free spaces of each car park, with its time (UTC).",
    fields=(
        Field("id", "integer", "Identifiant du relevé", "Reading identifier"),
        Field("car_park", "string", "Parking", "Car park", source="datastream__sensor__car_parks__slug"),
        Field("time", "datetime", "Heure du relevé (UTC)", "Time of the reading (UTC)", source="phenomenon_time",
              sortable=True),
        Field("available_spots", "number", "Places libres", "Free spaces", source="value"),
        Field("lon", "number", "Longitude", "Longitude", source="datastream__sensor__car_parks__lon"),
        Field("lat", "number", "Latitude", "Latitude", source="datastream__sensor__car_parks__lat"),
    ),
    key=("id",),
    queryset=lambda city: Observation.objects.filter(
        datastream__sensor__city=city, datastream__sensor__kind=SensorKind.PARKING,
        datastream__property="available_spots", datastream__sensor__car_parks__city=city,
        datastream__sensor__car_parks__is_active=True,
    ),
    lon_field="lon",
    lat_field="lat",
    time_field="time",
    modified_field="received_at",
    accrual_periodicity="CONT",
    provenance_fr="Relevés des capteurs des parkings reçus par CityPocket.",
    provenance_en="Car-park sensor readings received by CityPocket.",
    **COMMON,
))

register(PlatformDataset(
    slug="traffic-counts",
    title_fr="Comptages routiers",
    title_en="Traffic counts",
    description_fr=("Chaque relevé des points de comptage de la ville : débit (véhicules par heure) et taux "
                    "d'occupation de la boucle de détection (0 à 1), avec son heure (UTC)."),
    description_en=("Every reading of the city's traffic counting points: flow (vehicles per hour) and "
                    "occupancy of the detection loop (0 to 1), with its time (UTC)."),
    fields=(
        Field("id", "integer", "Identifiant du relevé", "Reading identifier"),
        Field("counting_point", "string", "Point de comptage", "Counting point",
              source="datastream__sensor__external_id"),
        Field("road", "string", "Voie", "Road", source="datastream__sensor__name"),
        Field("property", "string", "Grandeur (vehicle_flow, occupancy)", "Property (vehicle_flow, occupancy)",
              source="datastream__property"),
        Field("unit", "string", "Unité (veh/h ; 1 pour un taux)", "Unit (veh/h; 1 for a rate)",
              source="datastream__unit"),
        Field("time", "datetime", "Heure du relevé (UTC)", "Time of the reading (UTC)", source="phenomenon_time",
              sortable=True),
        Field("value", "number", "Valeur", "Value"),
        Field("lon", "number", "Longitude du point", "Counting point longitude", source="datastream__sensor__lon"),
        Field("lat", "number", "Latitude du point", "Counting point latitude", source="datastream__sensor__lat"),
    ),
    key=("id",),
    queryset=lambda city: Observation.objects.filter(
        datastream__sensor__city=city, datastream__sensor__kind=SensorKind.TRAFFIC,
        datastream__sensor__is_active=True,
    ),
    lon_field="lon",
    lat_field="lat",
    time_field="time",
    modified_field="received_at",
    accrual_periodicity="CONT",
    themes=("TRAN",),
    keywords_fr=("trafic", "comptage routier", "mobilité"),
    keywords_en=("traffic", "traffic counts", "mobility"),
    provenance_fr="Relevés des boucles de comptage (TrafficFlowObserved) reçus par CityPocket, sans correction.",
    provenance_en="Loop-detector readings (TrafficFlowObserved) received by CityPocket, uncorrected.",
))
