"""Writes of the safety app: submit and follow anonymous reports, triage, audited reads, retention,
key rotation, safe places."""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from citypocket.cities.models import City, Role, StaffMembership
from citypocket.core.problems import InvalidValues, NotFound, PermissionDenied
from citypocket.safety import crypto
from citypocket.safety.hotspots import cell_of
from citypocket.safety.models import (
    AccessAction,
    Category,
    HarassmentReport,
    ReporterRole,
    ReportUpdate,
    SensitiveAccessLog,
    Status,
    UpdateKind,
)

RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: easy to copy by hand
RECEIPT_LENGTH = 20  # ~98 bits
MAX_TEXT = 4000
MAX_SHORT = 300
# CNIL guidance for reporting schemes: keep contact details two months after the case is closed.
CONTACT_RETENTION_DAYS = 61


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(RECEIPT_LENGTH))
    return "-".join(raw[i:i + 5] for i in range(0, RECEIPT_LENGTH, 5))


@dataclass(frozen=True)
class SubmittedReport:
    report: HarassmentReport
    receipt_code: str  # shown once to the reporter, never stored


@transaction.atomic
def submit_report(
    *,
    city: City,
    category: str,
    occurred_at: dt.datetime,
    reporter_role: str = ReporterRole.VICTIM,
    lat: float | None = None,
    lon: float | None = None,
    place_name: str = "",
    description: str = "",
    contact: str = "",
) -> SubmittedReport:
    """Stores an anonymous report: coarse facts in clear, the rest encrypted; returns the receipt code once."""
    errors = []
    if category not in Category.values:
        errors.append({"field": "category", "message": _("Unknown category.")})
    if reporter_role not in ReporterRole.values:
        errors.append({"field": "role", "message": _("Say whether you were the victim or a witness.")})
    has_point = lat is not None and lon is not None
    if (lat is None) != (lon is None):
        errors.append({"field": "lon" if lon is None else "lat", "message": _("Give both latitude and longitude.")})
    place_name = (place_name or "").strip()
    if not has_point and not place_name:
        errors.append({"field": "place_name", "message": _("Give a point on the map or a street or place name.")})
    if has_point and not city.contains(lat, lon):
        errors.append({"field": "lat", "message": _("This place is outside the city.")})
    if occurred_at.tzinfo is None:
        errors.append({"field": "occurred_at", "message": _("Give the time with its offset.")})
    elif occurred_at > timezone.now() + dt.timedelta(minutes=5):
        errors.append({"field": "occurred_at", "message": _("This time is in the future.")})
    if len(description or "") > MAX_TEXT:
        errors.append({"field": "description", "message": _("The text is too long.")})
    if len(place_name) > MAX_SHORT or len(contact or "") > MAX_SHORT:
        errors.append({"field": "contact", "message": _("This field is too long.")})
    if errors:
        raise InvalidValues(_("Some values are invalid."), errors=errors)

    local = timezone.localtime(occurred_at, timezone=city.zone)
    code = new_receipt_code()
    report = HarassmentReport.objects.create(
        city=city,
        category=category,
        reporter_role=reporter_role,
        period=local.date().replace(day=1),
        h3_cell=cell_of(lat, lon) if has_point else "",
        received_on=timezone.localdate(),
        receipt_hash=crypto.hash_receipt(code),
        occurred_at_enc=crypto.encrypt_text(occurred_at.isoformat()),
        location_enc=crypto.encrypt_json({"lat": lat, "lon": lon}) if has_point else "",
        place_name_enc=crypto.encrypt_text(place_name),
        description_enc=crypto.encrypt_text((description or "").strip()),
        contact_enc=crypto.encrypt_text((contact or "").strip()),
    )
    return SubmittedReport(report=report, receipt_code=code)


def access_report_by_receipt(*, city: City, receipt_code: str) -> HarassmentReport:
    """The report this receipt code opens in `city`, or NotFound (the same answer for any wrong code)."""
    report = HarassmentReport.objects.filter(city=city, receipt_hash=crypto.hash_receipt(receipt_code or "")).first()
    if report is None:
        raise NotFound(_("No report matches this receipt code."))
    return report


def _next_sequence(report: HarassmentReport) -> int:
    return (report.updates.aggregate(last=Max("sequence"))["last"] or 0) + 1


@transaction.atomic
def add_reporter_information(*, city: City, receipt_code: str, text: str) -> ReportUpdate:
    """The reporter adds information to their report with the receipt code (the text is encrypted)."""
    report = access_report_by_receipt(city=city, receipt_code=receipt_code)
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise InvalidValues(
            _("Some values are invalid."), errors=[{"field": "text", "message": _("Write 1 to 4000 characters.")}]
        )
    if report.anonymised_on is not None:
        message = _("This case is closed and archived.")
        raise InvalidValues(message, errors=[{"field": "text", "message": message}])
    HarassmentReport.objects.select_for_update().filter(pk=report.pk).first()
    return ReportUpdate.objects.create(
        city=city, report=report, kind=UpdateKind.REPORTER, body_enc=crypto.encrypt_text(text),
        created_on=timezone.localdate(), sequence=_next_sequence(report),
    )


def list_replies_for_reporter(*, report: HarassmentReport) -> list[dict]:
    """The staff replies meant for the reporter (decrypted for the holder of the receipt code)."""
    return [
        {"date": update.created_on, "text": crypto.decrypt_text(update.body_enc)}
        for update in report.updates.filter(kind=UpdateKind.STAFF_REPLY).order_by("sequence")
    ]


# --- Staff ------------------------------------------------------------------------------------

def may_read_sensitive(*, user, city: City) -> bool:
    """Only people holding the safety-officer role of *this* city; not city admins, not superusers.

    Reading a report's exact details is a separate duty from running the platform: a superuser or
    city admin who needs it is given the role explicitly, which leaves a trace.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return StaffMembership.objects.filter(user=user, city=city, role=Role.SAFETY_OFFICER).exists()


def _log(*, user, report: HarassmentReport, action: str) -> None:
    SensitiveAccessLog.objects.create(
        city_id=report.city_id, user=user, user_email=user.email, report_id=report.pk, action=action
    )


@dataclass(frozen=True)
class ReportDetails:
    occurred_at: str
    lat: float | None
    lon: float | None
    place_name: str
    description: str
    contact: str
    updates: list[dict]


@transaction.atomic
def read_report_details(*, user, report: HarassmentReport) -> ReportDetails:
    """Decrypts a report for a safety officer of its city and writes the read to the audit log."""
    if not may_read_sensitive(user=user, city=report.city):
        raise PermissionDenied(_("Only the city's safety officers may read a report's details."))
    _log(user=user, report=report, action=AccessAction.READ_DETAILS)
    location = crypto.decrypt_json(report.location_enc) or {}
    return ReportDetails(
        occurred_at=crypto.decrypt_text(report.occurred_at_enc),
        lat=location.get("lat"),
        lon=location.get("lon"),
        place_name=crypto.decrypt_text(report.place_name_enc),
        description=crypto.decrypt_text(report.description_enc),
        contact=crypto.decrypt_text(report.contact_enc),
        updates=[
            {"kind": update.get_kind_display(), "date": update.created_on, "text": crypto.decrypt_text(update.body_enc),
             "author": update.author.email if update.author else ""}
            for update in report.updates.select_related("author").order_by("sequence")
        ],
    )


@transaction.atomic
def read_exact_map(*, user, city: City, reports) -> list[dict]:
    """Exact points of `reports` for a safety officer's map; one audit entry per report read."""
    if not may_read_sensitive(user=user, city=city):
        raise PermissionDenied(_("Only the city's safety officers may read exact places."))
    points = []
    for report in reports:
        if report.city_id != city.pk or not report.location_enc:
            continue
        _log(user=user, report=report, action=AccessAction.READ_MAP)
        location = crypto.decrypt_json(report.location_enc)
        points.append({"id": str(report.pk), "lat": location["lat"], "lon": location["lon"],
                       "category": report.category, "status": report.status})
    return points


@transaction.atomic
def change_report_status(*, user, report: HarassmentReport, status: str) -> HarassmentReport:
    """Triage: new → reviewed → forwarded → closed (any order; closing dates the retention clock)."""
    if not may_read_sensitive(user=user, city=report.city):
        raise PermissionDenied(_("Only the city's safety officers may triage reports."))
    if status not in Status.values:
        raise InvalidValues(_("Unknown status."), errors=[{"field": "status", "message": _("Unknown status.")}])
    if status == report.status:
        return report
    report.status = status
    report.closed_on = timezone.localdate() if status == Status.CLOSED else None
    report.save(update_fields=["status", "closed_on"])
    _log(user=user, report=report, action=AccessAction.CHANGE_STATUS)
    return report


@transaction.atomic
def add_staff_update(*, user, report: HarassmentReport, text: str, reply: bool = False) -> ReportUpdate:
    """An internal note, or (reply=True) a reply the reporter reads with their receipt code."""
    if not may_read_sensitive(user=user, city=report.city):
        raise PermissionDenied(_("Only the city's safety officers may annotate reports."))
    text = (text or "").strip()
    if not text:
        raise InvalidValues(_("Write something."), errors=[{"field": "text", "message": _("Write something.")}])
    HarassmentReport.objects.select_for_update().filter(pk=report.pk).first()
    update = ReportUpdate.objects.create(
        city_id=report.city_id, report=report, author=user,
        kind=UpdateKind.STAFF_REPLY if reply else UpdateKind.STAFF_NOTE,
        body_enc=crypto.encrypt_text(text), created_on=timezone.localdate(), sequence=_next_sequence(report),
    )
    _log(user=user, report=report, action=AccessAction.ADD_NOTE)
    return update


# --- Retention and keys ------------------------------------------------------------------------

@dataclass(frozen=True)
class PurgeSummary:
    contacts_erased: int
    reports_anonymised: int


@transaction.atomic
def purge_safety_data(*, today: dt.date | None = None) -> PurgeSummary:
    """CNIL retention: two months after closing, erase the contact and anonymise the report.

    Anonymised = the exact place, the place name, the exact time, the free text and every
    update are erased; what remains (city, category, role, month, H3 cell, status) identifies
    nobody and keeps the statistics and the hotspots right.
    """
    today = today or timezone.localdate()
    limit = today - dt.timedelta(days=CONTACT_RETENTION_DAYS)
    due = HarassmentReport.objects.select_for_update().filter(
        status=Status.CLOSED, closed_on__lte=limit, anonymised_on__isnull=True
    )
    contacts = 0
    count = 0
    for report in due:
        if report.contact_enc:
            contacts += 1
        report.contact_enc = ""
        report.contact_erased_on = today
        report.location_enc = ""
        report.place_name_enc = ""
        report.occurred_at_enc = ""
        report.description_enc = ""
        report.anonymised_on = today
        report.save(update_fields=[
            "contact_enc", "contact_erased_on", "location_enc", "place_name_enc", "occurred_at_enc",
            "description_enc", "anonymised_on",
        ])
        report.updates.all().delete()
        count += 1
    return PurgeSummary(contacts_erased=contacts, reports_anonymised=count)


def rotate_safety_keys(*, batch_size: int = 500) -> int:
    """Re-encrypts every token with the current (first) key of SAFETY_ENCRYPTION_KEYS; returns the rows changed."""
    changed = 0
    fields = ["occurred_at_enc", "location_enc", "place_name_enc", "description_enc", "contact_enc"]
    for model, names in ((HarassmentReport, fields), (ReportUpdate, ["body_enc"])):
        ids = list(model.objects.values_list("pk", flat=True))
        for start in range(0, len(ids), batch_size):
            with transaction.atomic():
                rows = model.objects.select_for_update().filter(pk__in=ids[start:start + batch_size])
                for row in rows:
                    for name in names:
                        setattr(row, name, crypto.rotate_token(getattr(row, name)))
                    row.save(update_fields=names)
                    changed += 1
    return changed
