"""Publishing a city's own files: the report per row and field (FR, EN), the personal-data screen and
its override, draft → review → published with a second publisher when the city asks, versions kept
with their checksums, rows served by the row API and the exports, and one city's publishers kept out
of another's datasets.

Fixtures (tests/fixtures/): the national schema "Lieux de covoiturage" 0.2.0 ships with the app
(opendata/tableschemas/); `aix-covoiturage*.csv` are demo rows shaped on the schema's official
example (`covoiturage-exemple-valide.csv`, etalab/schema-lieux-covoiturage@a89ace2), the bad date
being the official invalid example's; `aix-referents-*` is a fictitious contact list (example.org
addresses, a valid-key NIR, the IBAN of the ISO 13616 example)."""

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from citypocket.audit.models import AuditEntry
from citypocket.cities.models import Role
from citypocket.core.problems import Conflict, PermissionDenied
from citypocket.opendata import publishing, validation
from citypocket.opendata.models import Dataset, DatasetRow, DatasetVersion, VersionStatus
from citypocket.opendata.services import ensure_catalog
from testsupport import login, make_staff

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
COVOIT = "etalab/schema-lieux-covoiturage"
SCHEMA_URL = "https://schema.data.gouv.fr/etalab/schema-lieux-covoiturage/0.2.0/"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def new(slug="covoiturage") -> publishing.NewDataset:
    return publishing.NewDataset(slug=slug, title_fr="Lieux de covoiturage", title_en="Car-pooling places",
                                 description_fr="Les aires de covoiturage de la ville.",
                                 description_en="The city's car-pooling places.")


def upload(user, city, name="aix-covoiturage.csv", content=None, **kwargs) -> DatasetVersion:
    if "dataset" not in kwargs:
        kwargs["new"] = kwargs.get("new") or new()
    if "custom_schema" not in kwargs:
        kwargs.setdefault("schema_key", COVOIT)
    return publishing.upload_version(user=user, city=city, name=name, content=read(name) if content is None else content, **kwargs)


def publish(user, version, approver=None) -> DatasetVersion:
    publishing.submit_for_review(user=user, version=version)
    return publishing.approve(user=approver or user, version=version)


@pytest.fixture
def publisher(aix):
    return make_staff(aix, Role.DATA_PUBLISHER)


@pytest.fixture
def colleague(aix):
    return make_staff(aix, Role.DATA_PUBLISHER)


# --- The report.

def test_a_schema_error_is_reported_with_its_row_and_field_in_french_and_english(aix, publisher):
    version = upload(publisher, aix, "aix-covoiturage-erreur.csv")

    assert not version.is_valid and version.status == VersionStatus.DRAFT
    (error,) = version.report["errors"]
    assert (error["row"], error["field"], error["type"]) == (2, "date_maj", "type-error")
    assert error["message_fr"] == "Ligne 2, champ date_maj\u00a0: « 12-10-2026 » n'est pas une valeur valide de type date (%Y-%m-%d)."
    assert error["message_en"] == "Row 2, field date_maj: “12-10-2026” is not a valid date (%Y-%m-%d)."
    with pytest.raises(Conflict):
        publishing.submit_for_review(user=publisher, version=version)


def test_the_report_page_names_the_row_and_field_in_both_languages(aix, publisher):
    version = upload(publisher, aix, "aix-covoiturage-erreur.csv")
    client = login(Client(), publisher)
    url = f"/admin/opendata/datasetversion/{version.pk}/report/"

    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = client.get(url + "?lang=en", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>2</td><td>date_maj</td>" in french and "Ligne 2, champ date_maj" in french
    assert "Row 2, field date_maj" in english


def test_missing_columns_and_constraints_are_reported(aix, publisher):
    text = read("aix-covoiturage.csv").decode().replace("13001-C-002", "13001-X-002").replace(",Parking relais,", ",Navette,", 1)
    version = upload(publisher, aix, content=text.encode())
    found = {(e["row"], e["field"], e["type"]) for e in version.report["errors"]}
    assert found == {(2, "type", "constraint-error"), (3, "id_lieu", "constraint-error")}
    messages = {e["field"]: e["message_en"] for e in version.report["errors"]}
    assert "is not one of the allowed values" in messages["type"]
    assert "does not match the expected pattern" in messages["id_lieu"]


@pytest.mark.parametrize(("name", "content"), [
    ("notes.pdf", b"%PDF-1.7 not a table"),
    ("vide.csv", b""),
    ("faux.xlsx", b"id;nom\n1;x\n"),
    ("binaire.csv", b"\x00\x01\x02PK"),
])
def test_a_file_that_is_no_table_is_refused_and_nothing_is_stored(aix, publisher, name, content):
    with pytest.raises(validation.FileRejected):
        upload(publisher, aix, name=name, content=content)
    assert not Dataset.objects.filter(city=aix).exists() and not DatasetVersion.objects.exists()


def test_a_custom_schema_with_unusable_field_names_is_refused(aix, publisher):
    for descriptor in ({"fields": []}, {"fields": [{"name": "nom du lieu", "type": "string"}]},
                       {"fields": [{"name": "row_data", "type": "string"}]}, {"fields": [{"name": "a", "type": "nope"}]}):
        with pytest.raises(validation.FileRejected):
            upload(publisher, aix, custom_schema=descriptor)


def test_an_xlsx_file_is_checked_and_published_like_a_csv(aix, publisher):
    workbook = openpyxl.Workbook()
    for row in csv.reader(io.StringIO(read("aix-covoiturage.csv").decode())):
        workbook.active.append(row)
    content = io.BytesIO()
    workbook.save(content)
    version = upload(publisher, aix, name="covoiturage.xlsx", content=content.getvalue())
    assert version.file_format == "xlsx" and version.is_valid, version.report
    publish(publisher, version)
    assert DatasetRow.objects.filter(row_version=version).count() == 3


# --- The personal-data screen.

@pytest.mark.parametrize(("value", "kind"), [
    ("camille.martin@example.org", "email"),
    ("Prenom.Nom@mairie-aixenprovence.fr", "email"),
    ("06 12 34 56 78", "phone"),
    ("+33 4 42 91 90 00", "phone"),
    ("0442919000", "phone"),
    ("04.42.91.90.00", "phone"),
    ("2 69 05 49 588 157 80", "nir"),
    ("185057800608491", "nir"),
    ("FR76 3000 6000 0112 3456 7890 189", "iban"),
    ("FR7630006000011234567890189", "iban"),
    ("DE89370400440532013000", "iban"),
])
def test_the_screen_recognises_real_shaped_personal_values(value, kind):
    assert validation.kind_of(value) == kind


@pytest.mark.parametrize("value", [
    "13001", "211300017", "2026-10-12", "5.4531", "Parking relais Krypton", "2 69 05 49 588 157 81",
    "FR76 3000 6000 0112 3456 7890 188", "13001-C-001", "120", "https://www.example.org/@page", "",
])
def test_the_screen_lets_public_values_through(value):
    assert validation.kind_of(value) is None


def test_a_file_with_personal_columns_is_blocked_until_overridden_with_a_reason(aix, publisher):
    descriptor = json.loads(read("aix-referents-schema.json"))
    version = upload(publisher, aix, "aix-referents-covoiturage.csv", custom_schema=descriptor)

    assert version.is_valid
    kinds = {(f["field"], f["kind"]) for f in version.pii_findings}
    assert kinds == {("referent_courriel", "email"), ("referent_tel", "phone"), ("numero_secu", "nir"),
                     ("iban_remboursement", "iban")}
    assert {f["field"]: f["rows"] for f in version.pii_findings}["referent_courriel"] == [2, 3]
    assert "camille.martin" not in json.dumps(version.pii_findings)
    with pytest.raises(Conflict):
        publishing.submit_for_review(user=publisher, version=version)
    with pytest.raises(validation.FileRejected):
        publishing.override_screen(user=publisher, version=version, reason="ok")

    publishing.override_screen(user=publisher, version=version,
                               reason="Adresses de service publiques, listées sur le site de la ville.")
    publishing.submit_for_review(user=publisher, version=version)
    entry = AuditEntry.objects.get(event="opendata.screen_override")
    assert entry.actor_id == publisher.pk and entry.city_id == aix.pk
    assert entry.additional_data["reason"] == "Adresses de service publiques, listées sur le site de la ville."
    assert entry.additional_data["columns"] == "iban_remboursement, numero_secu, referent_courriel, referent_tel"
    assert version.events.filter(kind="override", actor=publisher).exists()


def test_a_screen_finding_from_the_header_alone_blocks_too(aix, publisher):
    content = b"id_lieu,telephone\n13001-C-001,\n"
    version = upload(publisher, aix, name="a.csv", content=content,
                     custom_schema={"fields": [{"name": "id_lieu", "type": "string"},
                                               {"name": "telephone", "type": "string"}]})
    assert version.pii_findings == [{"field": "telephone", "kind": "phone", "count": 0, "rows": [], "by_header": True}]
    assert version.pii_blocked


def test_blocked_personal_data_never_reaches_any_public_output(aix, publisher, client):
    """Canary: the e-mail column of a blocked file appears in no API answer, export or catalog."""
    ensure_catalog(city=aix)
    descriptor = json.loads(read("aix-referents-schema.json"))
    blocked = upload(publisher, aix, "aix-referents-covoiturage.csv", custom_schema=descriptor,
                     new=new("referents"))
    with pytest.raises(Conflict):
        publishing.approve(user=publisher, version=blocked)
    published = upload(publisher, aix)
    publish(publisher, published)

    urls = ["/api/v1/cities/aix-en-provence/data", "/api/v1/cities/aix-en-provence/catalog?format=jsonld",
            "/api/v1/catalog?format=ttl", "/aix-en-provence/data/",
            "/api/v1/cities/aix-en-provence/data/referents/rows",
            "/api/v1/cities/aix-en-provence/data/referents/rows?format=csv"]
    urls += [f"/api/v1/cities/aix-en-provence/data/covoiturage/rows?format={code}"
             for code in ("json", "csv", "jsonl", "geojson")]
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        for canary in (b"camille.martin", b"l.bernard", b"FR76", b"69 05 49", b"06 12 34"):
            assert canary not in body, (url, canary)
    assert client.get("/api/v1/cities/aix-en-provence/data/referents/rows").status_code == 404
    assert not DatasetRow.objects.filter(row_version=blocked).exists()


# --- Review, publication, versions.

def test_publishing_serves_the_rows_typed_after_the_schema(aix, publisher, client):
    version = publish(publisher, upload(publisher, aix))
    assert version.status == VersionStatus.PUBLISHED and version.row_count == 3

    base = "/api/v1/cities/aix-en-provence/data/covoiturage"
    described = client.get(base).json()
    assert described["conforms_to"] == SCHEMA_URL and described["key"] == ["id_lieu"]
    assert described["geographic"] is True
    assert {f["name"]: f["type"] for f in described["fields"]}["nbre_pl"] == "integer"
    rows = client.get(f"{base}/rows").json()["items"]
    assert rows[0] == {
        "id_lieu": "13001-C-001", "nom_lieu": "Parking relais Krypton", "ad_lieu": "Avenue de l'Arc de Meyran",
        "com_lieu": "Aix-en-Provence", "insee": "13001", "type": "Parking relais", "date_maj": "2026-10-12",
        "ouvert": True, "source": "211300017", "Xlong": 5.4531, "Ylat": 43.5152, "nbre_pl": 120, "nbre_pmr": 4,
        "duree": None, "horaires": "true", "proprio": "Ville d'Aix-en-Provence", "lumiere": True,
        "comm": "Navette vers le centre"}
    ids = lambda query: [r["id_lieu"] for r in client.get(f"{base}/rows?{query}").json()["items"]]  # noqa: E731
    assert ids("nbre_pl__gte=80") == ["13001-C-001", "13001-C-003"]
    assert ids("ouvert=false") == ["13001-C-003"]
    assert ids("date_maj__gt=2026-10-01") == ["13001-C-001", "13001-C-003"]
    assert ids("sort=-id_lieu&limit=2") == ["13001-C-003", "13001-C-002"]
    assert ids("bbox=5.40,43.50,5.50,43.55") == ["13001-C-001", "13001-C-003"]
    second = client.get(f"{base}/rows?limit=2").json()["next"]
    assert [r["id_lieu"] for r in client.get(second).json()["items"]] == ["13001-C-003"]
    assert client.get(f"{base}/rows?nbre_pl=beaucoup").status_code == 422

    exported = client.get(f"{base}/rows?format=csv")
    text = b"".join(exported.streaming_content).decode()
    assert text.splitlines()[0] == read("aix-covoiturage.csv").decode().splitlines()[0]
    assert "13001-C-002,Aire de covoiturage des Milles" in text
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(b"".join(client.get(f"{base}/rows?format=parquet").streaming_content)))
    assert table.num_rows == 3 and str(table.schema.field("nbre_pl").type) == "int64"
    assert str(table.schema.field("date_maj").type) == "date32[day]"
    assert table.column("ouvert").to_pylist() == [True, True, False]
    geojson = json.loads(b"".join(client.get(f"{base}/rows?format=geojson").streaming_content))
    assert geojson["features"][0]["geometry"] == {"type": "Point", "coordinates": [5.4531, 43.5152]}
    catalog = client.get("/api/v1/cities/aix-en-provence/catalog?format=ttl").content.decode()
    assert SCHEMA_URL in catalog and "covoiturage" in catalog
    assert DatasetRow.objects.filter(row_version=version).count() == 3


def test_a_dataset_without_primary_key_is_keyed_by_the_line_of_the_file(aix, publisher, client):
    descriptor = {"fields": [{"name": "nom", "type": "string"}, {"name": "places", "type": "integer"},
                             {"name": "releve", "type": "datetime"}]}
    content = b"nom,places,releve\nKrypton,12,2026-11-02T08:00:00+01:00\nMilles,4,2026-11-02T09:30:00Z\n"
    publish(publisher, upload(publisher, aix, name="releves.csv", content=content, custom_schema=descriptor))
    base = "/api/v1/cities/aix-en-provence/data/covoiturage/rows"
    items = client.get(base).json()["items"]
    assert [(r["_line"], r["nom"], r["releve"]) for r in items] == [
        (2, "Krypton", "2026-11-02T07:00:00Z"), (3, "Milles", "2026-11-02T09:30:00Z")]
    assert [r["nom"] for r in client.get(f"{base}?releve__gte=2026-11-02T08:00:00Z").json()["items"]] == ["Milles"]
    assert [r["nom"] for r in client.get(f"{base}?from=2026-11-02T07:00:00Z&to=2026-11-02T07:00:01Z").json()["items"]] \
        == ["Krypton"]


def test_a_second_publisher_approves_when_the_city_asks_for_it(aix, publisher, colleague):
    catalog = ensure_catalog(city=aix)
    catalog.second_approval_required = True
    catalog.save()
    version = upload(publisher, aix)
    publishing.submit_for_review(user=publisher, version=version)

    assert not publishing.may_approve(user=publisher, version=version)
    with pytest.raises(PermissionDenied):
        publishing.approve(user=publisher, version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.IN_REVIEW and not DatasetRow.objects.exists()

    publishing.approve(user=colleague, version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert list(version.events.values_list("kind", "actor")) == [
        ("uploaded", publisher.pk), ("submitted", publisher.pk), ("published", colleague.pk)]
    entry = AuditEntry.objects.get(event="opendata.publication")
    assert entry.actor_id == colleague.pk and entry.additional_data["checksum"] == version.checksum


def test_a_new_version_replaces_the_published_one_without_a_second_dataset(aix, publisher, client):
    first = publish(publisher, upload(publisher, aix))
    dataset = first.dataset
    with pytest.raises(validation.FileRejected, match="version 1"):
        upload(publisher, aix, dataset=dataset)

    changed = read("aix-covoiturage.csv").replace(b",120,", b",150,")
    second = publish(publisher, upload(publisher, aix, dataset=dataset, content=changed))

    assert Dataset.objects.filter(city=aix).count() == 1
    first.refresh_from_db()
    assert (first.number, first.status, second.number, second.status) == (1, "replaced", 2, "published")
    assert first.checksum != second.checksum and len(second.checksum) == 64
    assert first.file.read() == read("aix-covoiturage.csv")
    assert not DatasetRow.objects.filter(row_version=first).exists()
    items = client.get("/api/v1/cities/aix-en-provence/data/covoiturage/rows?id_lieu=13001-C-001").json()["items"]
    assert items[0]["nbre_pl"] == 150
    dataset.refresh_from_db()
    assert dataset.fingerprint == second.checksum and dataset.row_count == 3


def test_a_withdrawn_dataset_leaves_the_catalog_and_the_withdrawal_is_audited(aix, publisher, client):
    version = publish(publisher, upload(publisher, aix))
    with pytest.raises(validation.FileRejected):
        publishing.withdraw(user=publisher, version=version, reason="")
    publishing.withdraw(user=publisher, version=version, reason="Données périmées depuis la fin des travaux.")

    assert client.get("/api/v1/cities/aix-en-provence/data/covoiturage/rows").status_code == 404
    assert not DatasetRow.objects.exists()
    entry = AuditEntry.objects.get(event="opendata.withdrawal")
    assert entry.additional_data["reason"] == "Données périmées depuis la fin des travaux."


def test_a_database_error_while_loading_leaves_nothing_half_written(aix, publisher, monkeypatch):
    version = upload(publisher, aix)
    publishing.submit_for_review(user=publisher, version=version)
    real = validation.read_rows

    def broken(*args, **kwargs):
        for number, (line, data) in enumerate(real(*args, **kwargs)):
            if number == 2:
                raise RuntimeError("disk full")
            yield line, data

    monkeypatch.setattr(validation, "read_rows", broken)
    with pytest.raises(RuntimeError):
        publishing.approve(user=publisher, version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.IN_REVIEW
    assert not DatasetRow.objects.exists() and not Dataset.objects.get(pk=version.dataset_id).is_published
    assert not AuditEntry.objects.filter(event="opendata.publication").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_rows_are_loaded_with_copy_on_postgresql(aix, publisher, django_assert_max_num_queries):
    version = upload(publisher, aix)
    publishing.submit_for_review(user=publisher, version=version)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        publishing.approve(user=publisher, version=version)
    assert not any("INSERT INTO \"opendata_datasetrow\"" in q["sql"] for q in queries.captured_queries)
    assert DatasetRow.objects.filter(row_version=version).count() == 3


# --- Who may.

def test_only_the_citys_data_publishers_publish(aix, rouen, publisher):
    version = upload(publisher, aix)
    for outsider in (make_staff(rouen, Role.DATA_PUBLISHER), make_staff(aix, Role.EDITOR)):
        with pytest.raises(PermissionDenied):
            publishing.submit_for_review(user=outsider, version=version)
        with pytest.raises(PermissionDenied):
            upload(outsider, aix, dataset=version.dataset)
    assert make_staff(aix, Role.CITY_ADMIN) and publishing.is_publisher(
        user=make_staff(aix, Role.CITY_ADMIN), city=aix)


def test_a_rouen_publisher_cannot_see_or_touch_aix_datasets(aix, rouen, publisher):
    version = upload(publisher, aix)
    client = login(Client(), make_staff(rouen, Role.DATA_PUBLISHER))
    report = f"/admin/opendata/datasetversion/{version.pk}/report/"

    assert client.get(report).status_code == 404
    assert client.post(report, {"action": "submit"}).status_code == 404
    listing = client.get("/admin/opendata/datasetversion/").content.decode()
    assert "covoiturage" not in listing
    upload_page = client.get("/admin/opendata/datasetversion/upload/")
    assert upload_page.status_code == 200 and "Aix" not in upload_page.content.decode()
    response = client.post("/admin/opendata/datasetversion/upload/", {
        "city": aix.pk, "dataset": version.dataset_id, "schema": COVOIT,
        "file": SimpleUploadedFile("c.csv", read("aix-covoiturage.csv"))})
    assert response.status_code == 200
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT and version.dataset.versions.count() == 1


# --- The back-office pages.

def test_upload_report_submit_and_publish_through_the_back_office(aix, publisher, client):
    staff = login(Client(), publisher)
    page = staff.get("/admin/opendata/datasetversion/upload/")
    assert page.status_code == 200 and "Lieux de covoiturage 0.2.0" in page.content.decode()
    response = staff.post("/admin/opendata/datasetversion/upload/", {
        "city": aix.pk, "slug": "covoiturage", "title_fr": "Lieux de covoiturage", "title_en": "Car-pooling places",
        "description_fr": "Les aires de covoiturage.", "description_en": "Car-pooling places.", "schema": COVOIT,
        "file": SimpleUploadedFile("aix-covoiturage.csv", read("aix-covoiturage.csv"), content_type="text/csv")})
    assert response.status_code == 302, response.content.decode()[:2000]
    version = DatasetVersion.objects.get()
    report = response["Location"]
    assert report == f"/admin/opendata/datasetversion/{version.pk}/report/"
    assert "Le fichier respecte son schéma" in staff.get(report).content.decode()

    staff.post(report, {"action": "submit"})
    staff.post(report, {"action": "approve"})
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert client.get("/aix-en-provence/data/covoiturage/").status_code == 200


def test_a_bad_file_in_the_upload_form_is_a_form_error(aix, publisher):
    staff = login(Client(), publisher)
    response = staff.post("/admin/opendata/datasetversion/upload/", {
        "city": aix.pk, "slug": "covoiturage", "title_fr": "Lieux", "description_fr": "Des lieux.",
        "schema": "custom", "custom_schema": "{pas du json",
        "file": SimpleUploadedFile("notes.pdf", b"%PDF-1.7")})
    assert response.status_code == 200
    assert "JSON" in response.content.decode()
    response = staff.post("/admin/opendata/datasetversion/upload/", {
        "city": aix.pk, "slug": "covoiturage", "title_fr": "Lieux", "description_fr": "Des lieux.", "schema": COVOIT,
        "file": SimpleUploadedFile("notes.pdf", b"%PDF-1.7")})
    assert response.status_code == 200 and "CSV" in response.content.decode()
    assert not Dataset.objects.exists() and not DatasetVersion.objects.exists()


def test_the_catalog_with_an_uploaded_dataset_still_conforms_to_dcat_ap(aix, publisher, client):
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCAT, DCTERMS

    from citypocket.opendata.tests.shacl import violations

    publish(publisher, upload(publisher, aix))
    graph = Graph().parse(data=client.get("/api/v1/cities/aix-en-provence/catalog?format=ttl").content,
                          format="turtle")
    dataset = URIRef("http://testserver/api/v1/cities/aix-en-provence/data/covoiturage")
    assert (dataset, DCTERMS.conformsTo, URIRef(SCHEMA_URL)) in graph
    assert len(set(graph.objects(dataset, DCAT.distribution))) == 4
    assert violations(graph, "dcat-ap-3.0.1-SHACL.ttl") == ""
