"""The controlled vocabularies of the catalog (EU Publications Office, Etalab): every value is a URI.

DCAT-AP wants URIs, not labels: a harvester (data.europa.eu, data.gouv.fr) maps on them. The codes
kept in the database are the last segment of those URIs, so that a catalog row stays readable.
"""

from django.utils.translation import gettext_lazy as _

# Licences (dct:license). Licence Ouverte 2.0 is the French default for public bodies (décret
# 2017-638); ODbL is the other licence a French administration may choose for a database.
LICENCE_OUVERTE_2 = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
ODBL = "https://opendatacommons.org/licenses/odbl/1-0/"
LICENCES = [
    (LICENCE_OUVERTE_2, _("Licence Ouverte / Open Licence 2.0")),
    (ODBL, _("Open Database License (ODbL) 1.0")),
]

# EU data themes (dcat:theme), http://publications.europa.eu/resource/authority/data-theme
DATA_THEME_BASE = "http://publications.europa.eu/resource/authority/data-theme/"
# Labels as the EU vocabulary gives them (French, English): a skos:Concept of the catalog carries them.
DATA_THEMES = {
    "ENVI": ("Environnement", "Environment"),
    "HEAL": ("Santé", "Health"),
    "TRAN": ("Transports", "Transport"),
    "REGI": ("Régions et villes", "Regions and cities"),
    "JUST": ("Justice, système juridique et sécurité publique", "Justice, legal system and public safety"),
    "SOCI": ("Population et société", "Population and society"),
    "GOVE": ("Gouvernement et secteur public", "Government and public sector"),
}

# Update frequencies (dct:accrualPeriodicity), http://publications.europa.eu/resource/authority/frequency
FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"
FREQUENCIES = [
    ("CONT", _("Continuous")),
    ("HOURLY", _("Hourly")),
    ("DAILY", _("Daily")),
    ("WEEKLY", _("Weekly")),
    ("MONTHLY", _("Monthly")),
    ("ANNUAL", _("Annual")),
    ("IRREG", _("Irregular")),
    ("UNKNOWN", _("Unknown")),
]

# High-value dataset categories (r5r:hvdCategory), http://data.europa.eu/bna/asd487ae75, and the
# Implementing Regulation (EU) 2023/138 that lists them (r5r:applicableLegislation).
HVD_CATEGORY_BASE = "http://data.europa.eu/bna/"
HVD_EARTH_OBSERVATION_ENVIRONMENT = "c_dd313021"
HVD_MOBILITY = "c_b79e35eb"
HVD_CATEGORIES = [
    (HVD_EARTH_OBSERVATION_ENVIRONMENT, _("Earth observation and environment")),
    (HVD_MOBILITY, _("Mobility")),
]
HVD_LABELS = {
    HVD_EARTH_OBSERVATION_ENVIRONMENT: ("Observation de la terre et environnement",
                                        "Earth observation and environment"),
    HVD_MOBILITY: ("Mobilité", "Mobility"),
}
HVD_LEGISLATION = "http://data.europa.eu/eli/reg_impl/2023/138/oj"

# File types (dct:format) and media types (dcat:mediaType) of the distributions.
FILE_TYPE_BASE = "http://publications.europa.eu/resource/authority/file-type/"
MEDIA_TYPE_BASE = "http://www.iana.org/assignments/media-types/"

# Publisher types (dct:type of a publisher), http://purl.org/adms/publishertype
LOCAL_AUTHORITY = "http://purl.org/adms/publishertype/LocalAuthority"
LOCAL_AUTHORITY_LABELS = ("Autorité locale", "Local authority")

# Commune URIs of the French statistics office (dct:spatial).
INSEE_COMMUNE_BASE = "http://id.insee.fr/geo/commune/"
SIREN_BASE = "https://annuaire-entreprises.data.gouv.fr/entreprise/"

# National schemas (dct:conformsTo), as schema.data.gouv.fr publishes them.
SCHEMA_STATIONNEMENT = "https://schema.data.gouv.fr/etalab/schema-stationnement/0.1.5/"


def theme_uri(code: str) -> str:
    return DATA_THEME_BASE + code


def frequency_uri(code: str) -> str:
    return FREQUENCY_BASE + code


def hvd_category_uri(code: str) -> str:
    return HVD_CATEGORY_BASE + code
