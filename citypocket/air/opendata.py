"""The air app's open datasets: its stations, every measurement they sent, and the daily ATMO indices.

High-value datasets (Regulation (EU) 2023/138, "Earth observation and environment": air quality).
"""

from citypocket.air.models import AirIndexDaily
from citypocket.opendata import vocabularies as voc
from citypocket.opendata.registry import Field, PlatformDataset, register
from citypocket.sensors.models import Observation, Sensor, SensorKind

COMMON = {
    "themes": ("ENVI", "HEAL"),
    "hvd_category": voc.HVD_EARTH_OBSERVATION_ENVIRONMENT,
    "keywords_fr": ("qualité de l'air", "pollution", "environnement"),
    "keywords_en": ("air quality", "pollution", "environment"),
}

register(PlatformDataset(
    slug="air-stations",
    title_fr="Stations de mesure de la qualité de l'air",
    title_en="Air-quality monitoring stations",
    description_fr="Les stations qui mesurent la qualité de l'air dans la ville : identifiant, nom et position.",
    description_en="The stations that measure the city's air quality: identifier, name and position.",
    fields=(
        Field("station", "string", "Identifiant de la station", "Station identifier", source="external_id",
              sortable=True),
        Field("name", "string", "Nom", "Name", sortable=True),
        Field("lon", "number", "Longitude (WGS 84)", "Longitude (WGS 84)"),
        Field("lat", "number", "Latitude (WGS 84)", "Latitude (WGS 84)"),
    ),
    key=("station",),
    queryset=lambda city: Sensor.objects.filter(city=city, kind=SensorKind.AIR, is_active=True),
    lon_field="lon",
    lat_field="lat",
    accrual_periodicity="IRREG",
    provenance_fr="Registre des capteurs de la ville sur CityPocket.",
    provenance_en="The city's sensor register on CityPocket.",
    **COMMON,
))

register(PlatformDataset(
    slug="air-observations",
    title_fr="Mesures de la qualité de l'air (horaires)",
    title_en="Air-quality measurements (hourly)",
    description_fr=("Chaque mesure reçue des stations de la ville (NO2, O3, PM10, PM2,5…), "
                    "avec son unité et son heure (UTC)."),
    description_en=("Every measurement received from the city's stations (NO2, O3, PM10, PM2.5…), "
                    "with its unit and time (UTC)."),
    fields=(
        Field("id", "integer", "Identifiant de la mesure", "Measurement identifier"),
        Field("station", "string", "Station", "Station", source="datastream__sensor__external_id"),
        Field("property", "string", "Grandeur mesurée (no2, pm10…)", "Measured property (no2, pm10…)",
              source="datastream__property"),
        Field("unit", "string", "Unité", "Unit", source="datastream__unit"),
        Field("time", "datetime", "Heure de la mesure (UTC)", "Time of the measurement (UTC)",
              source="phenomenon_time", sortable=True),
        Field("value", "number", "Valeur", "Value"),
        Field("lon", "number", "Longitude de la station", "Station longitude", source="datastream__sensor__lon"),
        Field("lat", "number", "Latitude de la station", "Station latitude", source="datastream__sensor__lat"),
    ),
    key=("id",),
    queryset=lambda city: Observation.objects.filter(
        datastream__sensor__city=city, datastream__sensor__kind=SensorKind.AIR
    ),
    lon_field="lon",
    lat_field="lat",
    time_field="time",
    modified_field="received_at",
    accrual_periodicity="HOURLY",
    provenance_fr="Mesures des stations reçues par CityPocket, sans correction.",
    provenance_en="Station measurements received by CityPocket, uncorrected.",
    **COMMON,
))

register(PlatformDataset(
    slug="air-daily-indices",
    title_fr="Indices ATMO quotidiens",
    title_en="Daily ATMO air-quality indices",
    description_fr=("L'indice ATMO de chaque jour, pour la ville et pour chaque station : niveau de 1 (bon) "
                    "à 6 (extrêmement mauvais), 0 = indisponible ; calculé ou publié par l'AASQA."),
    description_en=("The ATMO index of each day, for the city and each station: level 1 (good) to 6 "
                    "(extremely poor), 0 = unavailable; computed, or published by the Atmo association."),
    fields=(
        Field("id", "integer", "Identifiant", "Identifier"),
        Field("date", "date", "Jour (heure locale)", "Day (local time)", sortable=True),
        Field("station_code", "string", "Station (vide : toute la ville)", "Station (empty: the whole city)",
              source="station__external_id"),
        Field("scale", "string", "Échelle", "Scale"),
        Field("version", "string", "Version de l'échelle", "Scale version"),
        Field("level", "integer", "Niveau", "Level"),
        Field("source", "string", "Source (computed, official)", "Source (computed, official)"),
        Field("forecast", "boolean", "Prévision", "Forecast"),
        Field("provisional", "boolean", "Provisoire", "Provisional"),
        Field("zone_code", "string", "Code de la zone (INSEE)", "Zone code (INSEE)"),
    ),
    key=("id",),
    queryset=lambda city: AirIndexDaily.objects.filter(city=city),
    time_field="date",
    modified_field="computed_at",
    accrual_periodicity="DAILY",
    provenance_fr="Calculé par CityPocket selon l'arrêté du 10 juillet 2020, ou publié par l'AASQA.",
    provenance_en="Computed by CityPocket after the French order of 10 July 2020, or published by the "
                  "Atmo association.",
    **COMMON,
))
