"""The catalogs as DCAT-AP 3.0.1 (and DCAT-AP-HVD for the high-value datasets), in Turtle, JSON-LD or
RDF/XML, paged with Hydra.

Two catalogs: each city's (`/api/v1/cities/{city}/catalog`) and the federation catalog of the install
(`/api/v1/catalog`), which lists every city catalog (`dcat:catalog`) and every dataset of every city,
each keeping its city as publisher. Every IRI is a URL of this install that answers: a dataset's IRI
is its description in the API, a distribution's access URL is its export.

Paging: `page` (from 1) and `page_size` over the datasets, described as data.gouv.fr and udata
describe theirs (`hydra:PagedCollection` with first, previous, next and last pages and the total),
so that harvesters that know that catalog know this one.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from citypocket.cities.models import City
from citypocket.opendata import vocabularies as voc
from citypocket.opendata.models import Catalog, DataService, Dataset, Distribution

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
R5R = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")

SERIALIZATIONS = {  # ?format= -> (rdflib format, media type, file extension)
    "ttl": ("turtle", "text/turtle", "ttl"),
    "jsonld": ("json-ld", "application/ld+json", "jsonld"),
    "rdf": ("xml", "application/rdf+xml", "rdf"),
}
MEDIA_TYPES = {media: code for code, (_, media, _) in SERIALIZATIONS.items()}

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500

# Distribution formats: (EU file type, IANA media type or "", title).
FORMATS = {
    "csv": ("CSV", "text/csv", "CSV"),
    "geojson": ("GEOJSON", "application/geo+json", "GeoJSON"),
    "jsonl": ("JSON", "", "JSON Lines"),
    "parquet": ("PARQUET", "application/vnd.apache.parquet", "Apache Parquet"),
}

# EU file types a harvested distribution's format is recognised as (others are left without dct:format).
REMOTE_FILE_TYPES = {"CSV", "JSON", "GEOJSON", "XLSX", "XLS", "ODS", "PDF", "ZIP", "XML", "SHP", "PARQUET",
                     "HTML", "TXT", "KML", "GPKG", "RDF_XML", "JSON_LD", "TSV"}


@dataclass(frozen=True)
class Page:
    number: int
    size: int


class Urls:
    """Every IRI of the catalog, from the install's base URL (scheme and host)."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")

    def federation(self) -> str:
        return f"{self.base}/api/v1/catalog"

    def catalog(self, city: City) -> str:
        return f"{self.base}/api/v1/cities/{city.slug}/catalog"

    def city(self, city: City) -> str:
        return f"{self.base}/api/v1/cities/{city.slug}"

    def dataset(self, dataset: Dataset) -> str:
        return f"{self.base}/api/v1/cities/{dataset.city.slug}/data/{dataset.slug}"

    def rows(self, dataset: Dataset) -> str:
        return f"{self.dataset(dataset)}/rows"

    def download(self, distribution: Distribution, dataset: Dataset) -> str:
        return f"{self.rows(dataset)}?format={distribution.format}"

    def distribution(self, distribution: Distribution, dataset: Dataset) -> str:
        return f"{self.dataset(dataset)}#distribution-{distribution.format}"

    def service(self, service: DataService) -> str:
        return f"{self.base}/api/v1/cities/{service.city.slug}/data#{service.slug}"

    def endpoint(self, city: City) -> str:
        return f"{self.base}/api/v1/cities/{city.slug}/data"

    def openapi(self) -> str:
        return f"{self.base}/api/v1/openapi.json"

    def documentation(self) -> str:
        return f"{self.base}/api/v1/docs"

    def portal(self, city: City) -> str:
        return f"{self.base}/{city.slug}/"


def _new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD),
                              ("hydra", HYDRA), ("r5r", R5R), ("adms", ADMS), ("locn", GSP), ("skos", SKOS)):
        graph.bind(prefix, namespace)
    return graph


def _texts(graph: Graph, subject, predicate, fr: str, en: str) -> None:
    graph.add((subject, predicate, Literal(fr, lang="fr")))
    if en:
        graph.add((subject, predicate, Literal(en, lang="en")))


def _concept(graph: Graph, iri: str, labels: tuple[str, str]) -> URIRef:
    """A skos:Concept of an EU vocabulary, with its French and English labels."""
    node = _typed_iri(graph, iri, SKOS.Concept)
    _texts(graph, node, SKOS.prefLabel, *labels)
    return node


def _typed_iri(graph: Graph, iri: str, kind) -> URIRef:
    node = URIRef(iri)
    graph.add((node, RDF.type, kind))
    return node


def _publisher(graph: Graph, urls: Urls, city: City) -> URIRef:
    """The city as a foaf:Agent: its name, its official identifier (SIREN when given, else its INSEE
    commune code) and the commune it administers."""
    agent = _typed_iri(graph, urls.city(city), FOAF.Agent)
    graph.add((agent, FOAF.name, Literal(city.official_name, lang="fr")))
    graph.add((agent, DCTERMS.type, _concept(graph, voc.LOCAL_AUTHORITY, voc.LOCAL_AUTHORITY_LABELS)))
    catalog = getattr(city, "data_catalog", None)
    siren = catalog.publisher_siren if catalog is not None else ""
    identifier = siren or (city.insee_codes or [""])[0]
    if identifier:
        graph.add((agent, DCTERMS.identifier, Literal(identifier)))
    if siren:
        graph.add((agent, FOAF.homepage, _typed_iri(graph, voc.SIREN_BASE + siren, FOAF.Document)))
    return agent


def _contact(graph: Graph, urls: Urls, city: City) -> BNode:
    catalog = getattr(city, "data_catalog", None)
    contact = BNode()
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(catalog.contact_name if catalog else city.official_name)))
    if catalog is not None and catalog.contact_email:
        graph.add((contact, VCARD.hasEmail, _typed_iri(graph, f"mailto:{catalog.contact_email}", RDFS.Resource)))
    graph.add((contact, VCARD.hasURL, _typed_iri(graph, urls.portal(city), RDFS.Resource)))
    return contact


def _spatial(graph: Graph, subject, city: City) -> None:
    for code in city.insee_codes or []:
        graph.add((subject, DCTERMS.spatial, _typed_iri(graph, voc.INSEE_COMMUNE_BASE + code, DCTERMS.Location)))
    box = BNode()
    graph.add((box, RDF.type, DCTERMS.Location))
    west, south, east, north = city.bbox
    wkt = (f"POLYGON(({west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}))")
    graph.add((box, DCAT.bbox, Literal(wkt, datatype=GSP.wktLiteral)))
    graph.add((subject, DCTERMS.spatial, box))


def _licence(graph: Graph, iri: str) -> URIRef:
    return _typed_iri(graph, iri, DCTERMS.LicenseDocument)


def _hvd(graph: Graph, subject, category: str) -> None:
    graph.add((subject, R5R.hvdCategory,
               _concept(graph, voc.hvd_category_uri(category), voc.HVD_LABELS[category])))
    graph.add((subject, R5R.applicableLegislation, _typed_iri(graph, voc.HVD_LEGISLATION, ELI.LegalResource)))


def _when(moment) -> Literal:
    return Literal(moment.replace(microsecond=0), datatype=XSD.dateTime)


ACCESS_RESTRICTED = "http://publications.europa.eu/resource/authority/access-right/RESTRICTED"


def add_dataset(graph: Graph, urls: Urls, dataset: Dataset) -> URIRef:
    city = dataset.city
    node = _typed_iri(graph, urls.dataset(dataset), DCAT.Dataset)
    _texts(graph, node, DCTERMS.title, dataset.title_fr, dataset.title_en)
    _texts(graph, node, DCTERMS.description, dataset.description_fr, dataset.description_en)
    graph.add((node, DCTERMS.identifier, Literal(f"{city.slug}/{dataset.slug}")))
    for word in dataset.keywords_fr:
        graph.add((node, DCAT.keyword, Literal(word, lang="fr")))
    for word in dataset.keywords_en:
        graph.add((node, DCAT.keyword, Literal(word, lang="en")))
    for code in dataset.themes:
        graph.add((node, DCAT.theme, _concept(graph, voc.theme_uri(code), voc.DATA_THEMES[code])))
    graph.add((node, DCTERMS.accrualPeriodicity,
               _typed_iri(graph, voc.frequency_uri(dataset.accrual_periodicity), DCTERMS.Frequency)))
    if dataset.is_harvested:
        _harvested(graph, node, dataset)
    else:
        graph.add((node, DCTERMS.publisher, _publisher(graph, urls, city)))
        graph.add((node, DCAT.contactPoint, _contact(graph, urls, city)))
        graph.add((node, DCAT.landingPage, _typed_iri(graph, urls.dataset(dataset), FOAF.Document)))
        _spatial(graph, node, city)
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            graph.add((period, DCAT.startDate, _when(dataset.temporal_start)))
        if dataset.temporal_end:
            graph.add((period, DCAT.endDate, _when(dataset.temporal_end)))
        graph.add((node, DCTERMS.temporal, period))
    if dataset.issued:
        graph.add((node, DCTERMS.issued, _when(dataset.issued)))
    if dataset.modified:
        graph.add((node, DCTERMS.modified, _when(dataset.modified)))
    if dataset.conforms_to:
        graph.add((node, DCTERMS.conformsTo, _typed_iri(graph, dataset.conforms_to, DCTERMS.Standard)))
    if dataset.provenance_fr:
        statement = BNode()
        graph.add((statement, RDF.type, DCTERMS.ProvenanceStatement))
        _texts(graph, statement, RDFS.label, dataset.provenance_fr, dataset.provenance_en)
        graph.add((node, DCTERMS.provenance, statement))
    if dataset.hvd_category:
        _hvd(graph, node, dataset.hvd_category)
    if dataset.is_restricted:  # only ever in the catalog of a viewer allowed to read it
        graph.add((node, DCTERMS.accessRights, _typed_iri(graph, ACCESS_RESTRICTED, DCTERMS.RightsStatement)))
    for distribution in dataset.distributions.all():
        graph.add((node, DCAT.distribution, add_distribution(graph, urls, dataset, distribution)))
    return node


def _harvested(graph: Graph, node: URIRef, dataset: Dataset) -> None:
    """What a harvested dataset keeps of its source: its original publisher, its page there
    (`dcat:landingPage`) and its identifier there (`adms:identifier`)."""
    publisher = BNode()
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(dataset.publisher_name or dataset.harvest_source.title)))
    graph.add((node, DCTERMS.publisher, publisher))
    if dataset.landing_page:
        graph.add((node, DCAT.landingPage, _typed_iri(graph, dataset.landing_page, FOAF.Document)))
    if dataset.source_uri:
        identifier = BNode()
        graph.add((identifier, RDF.type, ADMS.Identifier))
        graph.add((identifier, SKOS.notation, Literal(dataset.source_uri)))
        graph.add((node, ADMS.identifier, identifier))


def _remote_distribution(graph: Graph, urls: Urls, dataset: Dataset, distribution: Distribution) -> URIRef:
    """A harvested distribution: the file or page at the source, as the source describes it."""
    node = _typed_iri(graph, urls.distribution(distribution, dataset), DCAT.Distribution)
    graph.add((node, DCAT.accessURL, _typed_iri(graph, distribution.access_url, RDFS.Resource)))
    if distribution.download_url:
        graph.add((node, DCAT.downloadURL, _typed_iri(graph, distribution.download_url, RDFS.Resource)))
    label = distribution.format.split("-")[0]
    _texts(graph, node, DCTERMS.title, f"{dataset.title_fr} ({label.upper()})", "")
    if label.upper() in REMOTE_FILE_TYPES:
        graph.add((node, DCTERMS.format,
                   _typed_iri(graph, voc.FILE_TYPE_BASE + label.upper(), DCTERMS.MediaTypeOrExtent)))
    if "/" in distribution.media_type and " " not in distribution.media_type:
        graph.add((node, DCAT.mediaType,
                   _typed_iri(graph, voc.MEDIA_TYPE_BASE + distribution.media_type, DCTERMS.MediaType)))
    if distribution.byte_size is not None:
        graph.add((node, DCAT.byteSize, Literal(distribution.byte_size, datatype=XSD.nonNegativeInteger)))
    if dataset.licence:
        graph.add((node, DCTERMS.license, _licence(graph, dataset.licence)))
    if dataset.modified:
        graph.add((node, DCTERMS.modified, _when(dataset.modified)))
    return node


def add_distribution(graph: Graph, urls: Urls, dataset: Dataset, distribution: Distribution) -> URIRef:
    if dataset.is_harvested:
        return _remote_distribution(graph, urls, dataset, distribution)
    file_type, media_type, title = FORMATS[distribution.format]
    node = _typed_iri(graph, urls.distribution(distribution, dataset), DCAT.Distribution)
    download = _typed_iri(graph, urls.download(distribution, dataset), RDFS.Resource)
    graph.add((node, DCAT.accessURL, download))
    graph.add((node, DCAT.downloadURL, download))
    _texts(graph, node, DCTERMS.title, f"{dataset.title_fr} ({title})", f"{dataset.title_en} ({title})")
    graph.add((node, DCTERMS.format, _typed_iri(graph, voc.FILE_TYPE_BASE + file_type, DCTERMS.MediaTypeOrExtent)))
    if media_type:
        graph.add((node, DCAT.mediaType, _typed_iri(graph, voc.MEDIA_TYPE_BASE + media_type, DCTERMS.MediaType)))
    graph.add((node, DCTERMS.license, _licence(graph, dataset.licence)))
    if dataset.modified:
        graph.add((node, DCTERMS.modified, _when(dataset.modified)))
    if distribution.conforms_to:
        graph.add((node, DCTERMS.conformsTo, _typed_iri(graph, distribution.conforms_to, DCTERMS.Standard)))
    if dataset.hvd_category:
        graph.add((node, R5R.applicableLegislation, _typed_iri(graph, voc.HVD_LEGISLATION, ELI.LegalResource)))
    for service in dataset.services.all():
        graph.add((node, DCAT.accessService, URIRef(urls.service(service))))
    return node


def add_service(graph: Graph, urls: Urls, service: DataService, shown: set[int]) -> URIRef:
    """The row API of a city. It serves high-value datasets too, so it carries their HVD categories;
    `servesDataset` names the datasets of this page (`shown`), which the graph describes."""
    city = service.city
    node = _typed_iri(graph, urls.service(service), DCAT.DataService)
    _texts(graph, node, DCTERMS.title, service.title_fr, service.title_en)
    graph.add((node, DCAT.endpointURL, _typed_iri(graph, urls.endpoint(city), RDFS.Resource)))
    graph.add((node, DCAT.endpointDescription, _typed_iri(graph, urls.openapi(), RDFS.Resource)))
    graph.add((node, FOAF.page, _typed_iri(graph, urls.documentation(), FOAF.Document)))
    graph.add((node, DCTERMS.publisher, _publisher(graph, urls, city)))
    graph.add((node, DCAT.contactPoint, _contact(graph, urls, city)))
    graph.add((node, DCTERMS.license, _licence(graph, voc.LICENCE_OUVERTE_2)))
    categories = sorted({d.hvd_category for d in service.datasets.all() if d.is_published and d.hvd_category})
    for category in categories:
        _hvd(graph, node, category)
    for dataset in service.datasets.all():
        if dataset.is_published and dataset.pk in shown:
            graph.add((node, DCAT.servesDataset, URIRef(urls.dataset(dataset))))
    return node


def _describe_catalog(graph: Graph, urls: Urls, catalog: Catalog) -> URIRef:
    city = catalog.city
    node = _typed_iri(graph, urls.catalog(city), DCAT.Catalog)
    _texts(graph, node, DCTERMS.title, catalog.title_fr, catalog.title_en)
    _texts(graph, node, DCTERMS.description, catalog.description_fr, catalog.description_en)
    graph.add((node, DCTERMS.publisher, _publisher(graph, urls, city)))
    graph.add((node, DCAT.contactPoint, _contact(graph, urls, city)))
    graph.add((node, DCTERMS.license, _licence(graph, catalog.licence)))
    graph.add((node, FOAF.homepage, _typed_iri(graph, urls.portal(city), FOAF.Document)))
    _spatial(graph, node, city)
    for language in ("FRA", "ENG"):
        graph.add((node, DCTERMS.language, _typed_iri(
            graph, f"http://publications.europa.eu/resource/authority/language/{language}", DCTERMS.LinguisticSystem
        )))
    return node


def _page_of(datasets, page: Page) -> tuple[list, int]:
    total = datasets.count()
    start = (page.number - 1) * page.size
    return list(datasets[start:start + page.size]), total


def _hydra(graph: Graph, catalog_url: str, page: Page, total: int) -> None:
    def at(number: int) -> URIRef:
        return URIRef(f"{catalog_url}?{urlencode({'page': number, 'page_size': page.size})}")

    last = max(1, math.ceil(total / page.size))
    node = at(page.number)
    graph.add((node, RDF.type, HYDRA.PagedCollection))
    graph.add((node, HYDRA.totalItems, Literal(total)))
    graph.add((node, HYDRA.itemsPerPage, Literal(page.size)))
    graph.add((node, HYDRA.firstPage, at(1)))
    graph.add((node, HYDRA.lastPage, at(last)))
    if page.number > 1:
        graph.add((node, HYDRA.previousPage, at(page.number - 1)))
    if page.number < last:
        graph.add((node, HYDRA.nextPage, at(page.number + 1)))


def _add_datasets(graph: Graph, urls: Urls, catalog_node: URIRef, datasets: Iterable[Dataset]) -> None:
    for dataset in datasets:
        graph.add((catalog_node, DCAT.dataset, add_dataset(graph, urls, dataset)))


def city_catalog(*, urls: Urls, catalog: Catalog, datasets, services, page: Page) -> Graph:
    """The DCAT-AP graph of one city's catalog (one page of its datasets, every data service)."""
    graph = _new_graph()
    node = _describe_catalog(graph, urls, catalog)
    shown, total = _page_of(datasets, page)
    _add_datasets(graph, urls, node, shown)
    for service in services:
        graph.add((node, DCAT.service, add_service(graph, urls, service, {d.pk for d in shown})))
    _hydra(graph, urls.catalog(catalog.city), page, total)
    return graph


def federation_catalog(*, urls: Urls, catalogs, datasets, services, page: Page, title_fr: str, title_en: str) -> Graph:
    """The install's catalog: every city catalog, and one page of the datasets of every city."""
    graph = _new_graph()
    node = _typed_iri(graph, urls.federation(), DCAT.Catalog)
    _texts(graph, node, DCTERMS.title, title_fr, title_en)
    _texts(graph, node, DCTERMS.description,
           "Le catalogue fédéré de toutes les villes de cette instance CityPocket.",
           "The federated catalog of every city of this CityPocket install.")
    operator = _typed_iri(graph, f"{urls.base}/", FOAF.Agent)
    graph.add((operator, FOAF.name, Literal(title_fr, lang="fr")))
    graph.add((node, DCTERMS.publisher, operator))
    for catalog in catalogs:
        graph.add((node, DCAT.catalog, _describe_catalog(graph, urls, catalog)))
    shown, total = _page_of(datasets, page)
    _add_datasets(graph, urls, node, shown)
    for service in services:
        graph.add((node, DCAT.service, add_service(graph, urls, service, {d.pk for d in shown})))
    _hydra(graph, urls.federation(), page, total)
    return graph


def serialize(graph: Graph, code: str) -> bytes:
    rdflib_format = SERIALIZATIONS[code][0]
    if rdflib_format == "json-ld":
        return graph.serialize(format="json-ld", auto_compact=True).encode()
    return graph.serialize(format=rdflib_format, encoding="utf-8")
