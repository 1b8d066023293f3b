"""Reading a remote catalog: every dataset it lists, as plain records, or an error saying why not.

Four kinds of source, each read page by page until its last page:

- `dcat`: any DCAT-AP catalog (Turtle, JSON-LD or RDF/XML, chosen by the answer's media type),
  paged with Hydra as data.gouv.fr and udata page theirs: `hydra:nextPage` (or the
  `hydra:next` of a `hydra:PartialCollectionView`) until there is none;
- `citypocket`: another CityPocket install's catalog (a city's or the federation's), read as DCAT-AP
  in Turtle, 500 datasets a page;
- `ckan`: the Action API's `package_search`, `rows` and `start`, until `count` is reached;
- `ods`: the OpenDataSoft Explore API v2.1 (`/api/explore/v2.1/catalog/datasets`), `limit` and
  `offset`, the dataset's `metas.default` (and `metas.dcat` when the portal fills it).

A listing is all or nothing: a page that does not answer, answers with an error, or cannot be read
raises `HarvestError`, and the job stops there without touching the catalog — withdrawing datasets
is only safe once the whole listing is known. A single record that cannot be read (no identifier,
no title) is reported and skipped; the others are kept.
"""

import datetime as dt
import hashlib
import html
import ipaddress
import json
import socket
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import strip_tags
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

from citypocket.opendata import vocabularies as voc
from citypocket.opendata.dcat import HYDRA, VCARD

TIMEOUT = 30.0  # seconds, for connecting and for each read
MAX_PAGES = 200
MAX_PAGE_BYTES = 50 * 1024 * 1024
CKAN_ROWS = 100
ODS_LIMIT = 100
ODS_MAX_OFFSET = 10_000  # the Explore API answers no further than limit + offset = 10 000
CITYPOCKET_PAGE_SIZE = 500
USER_AGENT = "CityPocket harvester (+https://github.com/citypocket)"

RDF_ACCEPT = "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8"
RDF_FORMATS = {
    "text/turtle": "turtle", "application/x-turtle": "turtle",
    "application/ld+json": "json-ld", "application/json": "json-ld",
    "application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "application/n-triples": "nt", "text/n3": "n3",
}
RDF_SUFFIXES = {".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".xml": "xml", ".nt": "nt"}

# Licences named by an identifier rather than a URL (CKAN's license_id, OpenDataSoft's names).
LICENCE_NAMES = {
    "fr-lo": voc.LICENCE_OUVERTE_2, "lov2": voc.LICENCE_OUVERTE_2, "etalab-2.0": voc.LICENCE_OUVERTE_2,
    "licence ouverte v2.0 (etalab)": voc.LICENCE_OUVERTE_2, "licence ouverte / open licence": voc.LICENCE_OUVERTE_2,
    "licence ouverte (etalab)": voc.LICENCE_OUVERTE_2, "open licence 2.0": voc.LICENCE_OUVERTE_2,
    "odc-odbl": voc.ODBL, "open database license (odbl)": voc.ODBL, "odbl": voc.ODBL,
    "cc-by": "https://creativecommons.org/licenses/by/4.0/", "cc by 4.0": "https://creativecommons.org/licenses/by/4.0/",
    "cc-by-sa": "https://creativecommons.org/licenses/by-sa/4.0/",
    "cc-zero": "https://creativecommons.org/publicdomain/zero/1.0/",
    "odc-by": "https://opendatacommons.org/licenses/by/1-0/",
    "odc-pddl": "https://opendatacommons.org/licenses/pddl/1-0/",
}


class HarvestError(Exception):
    """The source could not be read whole: nothing is applied."""


@dataclass
class RemoteDistribution:
    format: str
    title: str = ""
    access_url: str = ""
    download_url: str = ""
    media_type: str = ""
    byte_size: int | None = None


@dataclass
class RemoteDataset:
    identifier: str
    title: str
    description: str = ""
    title_en: str = ""
    description_en: str = ""
    keywords: list[str] = field(default_factory=list)
    keywords_en: list[str] = field(default_factory=list)
    landing_page: str = ""
    publisher: str = ""
    licence: str = ""
    accrual_periodicity: str = ""
    conforms_to: str = ""
    issued: dt.datetime | None = None
    modified: dt.datetime | None = None
    row_count: int = 0
    distributions: list[RemoteDistribution] = field(default_factory=list)

    def fingerprint(self) -> str:
        """Changes whenever anything the catalog keeps of the record changes."""
        return hashlib.sha256(json.dumps(asdict(self), default=str, sort_keys=True).encode()).hexdigest()


@dataclass
class Listing:
    records: list[RemoteDataset] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (identifier or "", why)
    pages: int = 0

    @property
    def identifiers(self) -> set[str]:
        """Every dataset the source still lists, readable or not: none of them is withdrawn."""
        return {r.identifier for r in self.records} | {ident for ident, _ in self.skipped if ident}


# --- HTTP -------------------------------------------------------------------------------------------------


def _refuse_private_addresses(request: httpx.Request) -> None:
    """Every request (redirects included) goes to a public address only: a source URL typed in the back
    office must not make the server read its own network (metadata services, databases, admin pages).
    OPENDATA_HARVEST_PRIVATE_NETWORKS lets an install harvest a neighbour on its own network."""
    if settings.OPENDATA_HARVEST_PRIVATE_NETWORKS:
        return
    host = request.url.host
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, request.url.port or 443, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError) as error:
        raise HarvestError(f"{host}: the name does not resolve") from error
    for address in addresses:
        if not ipaddress.ip_address(address.split("%", 1)[0]).is_global:
            raise HarvestError(f"{host}: not a public address; harvesting reads public catalogs only "
                               "(OPENDATA_HARVEST_PRIVATE_NETWORKS allows a private network)")


def new_client() -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(TIMEOUT), follow_redirects=True,
                        headers={"User-Agent": USER_AGENT},
                        event_hooks={"request": [_refuse_private_addresses]})


def _get(client: httpx.Client, url: str, *, params: dict | None = None, accept: str = "application/json"):
    try:
        response = client.get(url, params=params, headers={"Accept": accept})
    except httpx.TimeoutException as error:
        raise HarvestError(f"{url}: no answer within {TIMEOUT:g} s") from error
    except httpx.HTTPError as error:
        raise HarvestError(f"{url}: {type(error).__name__}: {error}") from error
    if response.status_code != 200:
        raise HarvestError(f"{response.url}: HTTP {response.status_code}")
    if len(response.content) > MAX_PAGE_BYTES:
        raise HarvestError(f"{response.url}: a page of more than {MAX_PAGE_BYTES // 1024 // 1024} MB")
    return response


def _json(response) -> dict:
    try:
        body = response.json()
    except ValueError as error:
        raise HarvestError(f"{response.url}: not JSON ({error})") from error
    if not isinstance(body, dict):
        raise HarvestError(f"{response.url}: not a JSON object")
    return body


# --- values -------------------------------------------------------------------------------------------------


def _moment(value) -> dt.datetime | None:
    """A date or time of any source as an aware instant (a date is its midnight UTC, a naive time is UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, Literal):
        value = value.toPython()
    if isinstance(value, str):
        value = parse_datetime(value.strip()) or parse_date(value.strip()[:10])
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return None


def _licence(url: str = "", name: str = "") -> str:
    if url.startswith(("http://", "https://")):
        return url[:200]
    return LICENCE_NAMES.get((name or "").strip().lower(), "")


def _url(value) -> str:
    text = str(value or "").strip()
    return text[:1000] if text.startswith(("http://", "https://")) else ""


def _size(value) -> int | None:
    """A count or size: `284731`, `"284731"`, or data.gouv.fr's xsd:decimal `284731.0`."""
    if value is None or isinstance(value, bool):
        return None
    try:
        size = int(Decimal(str(value)))
    except (ArithmeticError, ValueError):
        return None
    return size if size >= 0 else None


def _plain(text: str) -> str:
    """HTML descriptions (OpenDataSoft, some CKAN) as plain text."""
    return html.unescape(strip_tags(text or "")).strip()


def _short_format(value: str) -> str:
    """`http://publications.europa.eu/resource/authority/file-type/CSV` or `text/csv` or `CSV` -> `csv`."""
    text = str(value or "").strip().rstrip("/")
    text = text.rsplit("/", 1)[-1] if "://" in text else text.split("/")[-1]
    return text.lower()[:12]


# --- DCAT-AP (and CityPocket) -------------------------------------------------------------------------------


def _texts(graph: Graph, node, predicate) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for value in graph.objects(node, predicate):
        if isinstance(value, Literal):
            found.setdefault(value.language or "", []).append(str(value).strip())
    return found


def _text(graph: Graph, node, predicate, language: str = "fr") -> str:
    """The value in that language; for French also an untagged one, then any."""
    found = _texts(graph, node, predicate)
    if language != "fr":
        return (found.get(language) or [""])[0]
    for key in ("fr", ""):
        if found.get(key):
            return found[key][0]
    return next((values[0] for values in found.values() if values), "")


def _agent_name(graph: Graph, agent) -> str:
    if agent is None:
        return ""
    for predicate in (FOAF.name, SKOS.prefLabel, VCARD.fn, DCTERMS.title):
        name = _text(graph, agent, predicate)
        if name:
            return name
    return ""


def _iri(graph: Graph, node, predicate) -> str:
    value = graph.value(node, predicate)
    return str(value) if isinstance(value, URIRef) else ""


def _frequency(graph: Graph, node) -> str:
    value = _iri(graph, node, DCTERMS.accrualPeriodicity)
    code = value[len(voc.FREQUENCY_BASE):] if value.startswith(voc.FREQUENCY_BASE) else ""
    return code if code in dict(voc.FREQUENCIES) else ""


def _dcat_distribution(graph: Graph, node) -> RemoteDistribution:
    fmt = graph.value(node, DCTERMS.format)
    media = graph.value(node, DCAT.mediaType)
    media_type = str(media or "")
    if "/media-types/" in media_type:
        media_type = media_type.split("/media-types/", 1)[1]
    access, download = _url(graph.value(node, DCAT.accessURL)), _url(graph.value(node, DCAT.downloadURL))
    return RemoteDistribution(
        format=_short_format(fmt if fmt is not None else media_type), title=_text(graph, node, DCTERMS.title)[:300],
        access_url=access or download, download_url=download,
        media_type=media_type[:100] if "/" in media_type else "", byte_size=_size(graph.value(node, DCAT.byteSize)),
    )


def _dcat_dataset(graph: Graph, node, source_publisher: str) -> RemoteDataset:
    identifier = str(node) if isinstance(node, URIRef) else str(graph.value(node, DCTERMS.identifier) or "")
    if not identifier:
        raise ValueError("a dataset with neither IRI nor dct:identifier")
    title = _text(graph, node, DCTERMS.title)
    if not title:
        raise ValueError(f"{identifier}: no dct:title")
    distributions = [_dcat_distribution(graph, d) for d in graph.objects(node, DCAT.distribution)]
    licence = _iri(graph, node, DCTERMS.license) or next(
        (str(v) for d in graph.objects(node, DCAT.distribution) for v in graph.objects(d, DCTERMS.license)
         if isinstance(v, URIRef)), "")
    landing = _url(graph.value(node, DCAT.landingPage)) or (identifier if _url(identifier) else "")
    keywords = _texts(graph, node, DCAT.keyword)
    return RemoteDataset(
        identifier=identifier[:500], title=title[:200], description=_text(graph, node, DCTERMS.description),
        title_en=_text(graph, node, DCTERMS.title, "en")[:200],
        description_en=_text(graph, node, DCTERMS.description, "en"),
        keywords=sorted(set(keywords.get("fr", []) + keywords.get("", []))), keywords_en=sorted(keywords.get("en", [])),
        landing_page=landing[:500],
        publisher=(_agent_name(graph, graph.value(node, DCTERMS.publisher)) or source_publisher)[:300],
        licence=_licence(licence), accrual_periodicity=_frequency(graph, node),
        conforms_to=_url(graph.value(node, DCTERMS.conformsTo))[:200],
        issued=_moment(graph.value(node, DCTERMS.issued)), modified=_moment(graph.value(node, DCTERMS.modified)),
        distributions=sorted(distributions, key=lambda d: (d.format, d.access_url, d.download_url)),
    )


def _rdf_format(response) -> str:
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in RDF_FORMATS:
        return RDF_FORMATS[media]
    path = urlsplit(str(response.url)).path
    return next((fmt for suffix, fmt in RDF_SUFFIXES.items() if path.endswith(suffix)), "turtle")


def _next_page(graph: Graph, current: str) -> str | None:
    """`hydra:nextPage` (data.gouv.fr, udata, CityPocket) or the `hydra:next` of a collection view."""
    candidates = [(subject, target) for predicate in (HYDRA.nextPage, HYDRA.next)
                  for subject, target in graph.subject_objects(predicate)]
    if not candidates:
        return None
    own = [target for subject, target in candidates if str(subject) == current]
    return urljoin(current, str((own or [candidates[0][1]])[0]))


def _with_params(url: str, **params) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    for key, value in params.items():
        query.setdefault(key, str(value))
    return urlunsplit(parts._replace(query=urlencode(query)))


def read_dcat(client: httpx.Client, url: str, *, source_publisher: str = "", citypocket: bool = False) -> Listing:
    listing = Listing()
    found: dict[str, RemoteDataset] = {}
    seen_pages: set[str] = set()
    page_url: str | None = _with_params(url, format="ttl", page_size=CITYPOCKET_PAGE_SIZE) if citypocket else url
    while page_url:
        if page_url in seen_pages:
            break  # a page pointing back: every page has been read
        if len(seen_pages) >= MAX_PAGES:
            raise HarvestError(f"{url}: more than {MAX_PAGES} pages")
        seen_pages.add(page_url)
        response = _get(client, page_url, accept=RDF_ACCEPT)
        fmt = _rdf_format(response)
        try:
            graph = Graph().parse(data=response.content, format=fmt, publicID=str(response.url))
        except Exception as error:  # rdflib raises many kinds of parse errors
            message = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
            raise HarvestError(f"{response.url}: not readable as {fmt}: {message}") from error
        listing.pages += 1
        for node in set(graph.subjects(RDF.type, DCAT.Dataset)):
            try:
                record = _dcat_dataset(graph, node, source_publisher)
            except (ValueError, TypeError) as error:
                ident = str(node) if isinstance(node, URIRef) else ""
                listing.skipped.append((ident, str(error)))
                continue
            found[record.identifier] = record
        page_url = _next_page(graph, str(response.url))
    listing.records = sorted(found.values(), key=lambda r: r.identifier)
    return listing


# --- CKAN ------------------------------------------------------------------------------------------------


def _ckan_dataset(base: str, package: dict, source_publisher: str) -> RemoteDataset:
    identifier = str(package.get("id") or "")
    if not identifier:
        raise ValueError("a package without id")
    title = str(package.get("title") or package.get("name") or "").strip()
    if not title:
        raise ValueError(f"{identifier}: no title")
    organization = package.get("organization") or {}
    distributions = [
        RemoteDistribution(
            format=_short_format(resource.get("format") or resource.get("mimetype") or ""),
            title=str(resource.get("name") or "")[:300], access_url=_url(resource.get("url")),
            download_url=_url(resource.get("url")) if resource.get("url_type") == "upload" else "",
            media_type=str(resource.get("mimetype") or "")[:100], byte_size=_size(resource.get("size")),
        )
        for resource in package.get("resources") or [] if _url(resource.get("url"))
    ]
    name = package.get("name") or identifier
    return RemoteDataset(
        identifier=identifier[:500], title=title[:200], description=_plain(package.get("notes") or ""),
        keywords=sorted({str(tag.get("display_name") or tag.get("name")) for tag in package.get("tags") or []}),
        landing_page=f"{base}/dataset/{name}"[:500],
        publisher=(str(organization.get("title") or "") or source_publisher)[:300],
        licence=_licence(str(package.get("license_url") or ""), str(package.get("license_id") or "")),
        issued=_moment(package.get("metadata_created")), modified=_moment(package.get("metadata_modified")),
        distributions=sorted(distributions, key=lambda d: (d.format, d.access_url)),
    )


def read_ckan(client: httpx.Client, url: str, *, source_publisher: str = "") -> Listing:
    base = url.rstrip("/")
    endpoint = f"{base}/api/3/action/package_search"
    listing, start, found = Listing(), 0, {}
    while True:
        if listing.pages >= MAX_PAGES:
            raise HarvestError(f"{endpoint}: more than {MAX_PAGES} pages")
        body = _json(_get(client, endpoint, params={"rows": CKAN_ROWS, "start": start}))
        result = body.get("result")
        if not body.get("success") or not isinstance(result, dict) or not isinstance(result.get("results"), list):
            raise HarvestError(f"{endpoint}: not a package_search answer")
        listing.pages += 1
        packages = result["results"]
        for package in packages:
            if not isinstance(package, dict) or package.get("private") or package.get("state", "active") != "active":
                continue
            try:
                record = _ckan_dataset(base, package, source_publisher)
            except (ValueError, TypeError, AttributeError) as error:
                listing.skipped.append((str(package.get("id") or ""), str(error)))
                continue
            found[record.identifier] = record
        start += len(packages)
        if not packages or start >= int(result.get("count") or 0):
            break
    listing.records = sorted(found.values(), key=lambda r: r.identifier)
    return listing


# --- OpenDataSoft Explore v2.1 -------------------------------------------------------------------------


def _ods_dataset(base: str, item: dict, source_publisher: str) -> RemoteDataset:
    dataset_id = str(item.get("dataset_id") or "")
    identifier = str(item.get("dataset_uid") or dataset_id)
    if not dataset_id:
        raise ValueError(f"{identifier or 'a dataset'}: no dataset_id")
    metas = item.get("metas") or {}
    default, dcat_metas = metas.get("default") or {}, metas.get("dcat") or {}
    title = str(default.get("title") or "").strip()
    if not title:
        raise ValueError(f"{identifier}: no title")
    exports = f"{base}/api/explore/v2.1/catalog/datasets/{dataset_id}/exports"
    distributions = []
    if item.get("has_records", True):
        formats = [("csv", "text/csv"), ("json", "application/json")]
        if "geo" in (item.get("features") or []):
            formats.append(("geojson", "application/geo+json"))
        distributions = [RemoteDistribution(format=code, title=code.upper(), access_url=f"{exports}/{code}",
                                            download_url=f"{exports}/{code}", media_type=media)
                         for code, media in formats]
    for attachment in item.get("attachments") or []:  # files attached to the dataset (a dataset without records)
        href = _url(attachment.get("href"))
        if href:
            name = str(attachment.get("title") or attachment.get("id") or "")
            distributions.append(RemoteDistribution(
                format=_short_format(name.rsplit(".", 1)[-1] if "." in name else attachment.get("mimetype") or ""),
                title=name[:300], access_url=href, download_url=href,
                media_type=str(attachment.get("mimetype") or "")[:100]))
    keywords = default.get("keyword") or []
    return RemoteDataset(
        identifier=identifier[:500], title=title[:200], description=_plain(default.get("description") or ""),
        keywords=sorted({str(k) for k in (keywords if isinstance(keywords, list) else [keywords])}),
        landing_page=f"{base}/explore/dataset/{dataset_id}/"[:500],
        publisher=(str(default.get("publisher") or dcat_metas.get("creator") or "") or source_publisher)[:300],
        licence=_licence(str(default.get("license_url") or ""), str(default.get("license") or "")),
        issued=_moment(dcat_metas.get("issued")),
        modified=_moment(default.get("modified") or default.get("data_processed")),
        row_count=_size(default.get("records_count")) or 0,
        distributions=distributions,
    )


def read_ods(client: httpx.Client, url: str, *, source_publisher: str = "") -> Listing:
    base = url.rstrip("/")
    endpoint = f"{base}/api/explore/v2.1/catalog/datasets"
    listing, offset, found = Listing(), 0, {}
    while True:
        if offset + ODS_LIMIT > ODS_MAX_OFFSET:
            raise HarvestError(f"{endpoint}: more than {ODS_MAX_OFFSET} datasets, beyond what the API pages")
        body = _json(_get(client, endpoint, params={"limit": ODS_LIMIT, "offset": offset}))
        results = body.get("results")
        if not isinstance(results, list) or "total_count" not in body:
            raise HarvestError(f"{endpoint}: not an Explore v2.1 catalog answer")
        listing.pages += 1
        for item in results:
            try:
                record = _ods_dataset(base, item, source_publisher)
            except (ValueError, TypeError, AttributeError) as error:
                ident = str(item.get("dataset_uid") or item.get("dataset_id") or "") if isinstance(item, dict) else ""
                listing.skipped.append((ident, str(error)))
                continue
            found[record.identifier] = record
        offset += len(results)
        if not results or offset >= int(body.get("total_count") or 0):
            break
    listing.records = sorted(found.values(), key=lambda r: r.identifier)
    return listing


def read_source(kind: str, url: str, *, source_publisher: str = "", client: httpx.Client | None = None) -> Listing:
    """Every dataset the source lists now (HarvestError when it cannot be read whole)."""
    own = client is None
    client = client or new_client()
    try:
        if kind == "ckan":
            return read_ckan(client, url, source_publisher=source_publisher)
        if kind == "ods":
            return read_ods(client, url, source_publisher=source_publisher)
        return read_dcat(client, url, source_publisher=source_publisher, citypocket=kind == "citypocket")
    finally:
        if own:
            client.close()

