"""Checking a city's file before anything is published: its Table Schema, a validation report per row
and field (frictionless) in French and English, and the personal-data screen.

Rows are numbered as frictionless numbers them: the line of the file (CSV) or of the sheet (XLSX),
the header being row 1, so that a publisher finds the row in their spreadsheet.

The screen looks at every cell as text: a column whose cells look like e-mail addresses, French
phone numbers, French social-security numbers (NIR, with their key) or IBANs (with their check
digits) — or whose header names one — is a finding. Findings give the column, the kind and the
first rows, never the values.
"""

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from citypocket.opendata.rows import RESERVED

MAX_BYTES = 20 * 1024 * 1024
MAX_ERRORS = 500
MAX_ROWS = 500_000
FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,62}")
# Columns of the row table and names the row API keeps for itself: no field may take them.
RESERVED_NAMES = {"pk", "row_id", "row_version", "row_version_id", "row_line", "row_data", "_line", *RESERVED}
FORMATS = ("csv", "xlsx")


class FileRejected(ValueError):
    """A file or schema that cannot be checked at all; the message is for the publisher."""


# --- The Table Schema.

def load_schema(descriptor):
    """A frictionless Schema from a descriptor, or FileRejected saying what is wrong with it."""
    from frictionless import FrictionlessException, Schema  # reason: heavy, only for uploads

    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("fields"), list) or not descriptor["fields"]:
        raise FileRejected(_("A Table Schema is a JSON object with a non-empty list of fields."))
    try:
        schema = Schema.from_descriptor(descriptor)
    except FrictionlessException as error:
        raise FileRejected(_("This Table Schema is not valid: %(error)s") % {"error": error.error.note}) from None
    for name in schema.field_names:
        if not FIELD_NAME.fullmatch(name or "") or "__" in name or name in RESERVED_NAMES:
            raise FileRejected(_("Field %(name)s: a field name starts with a letter, has only letters, digits and "
                                 "single underscores, and is not one of %(reserved)s.")
                               % {"name": repr(name), "reserved": ", ".join(sorted(RESERVED_NAMES))})
    return schema


def parse_schema_text(text: str) -> dict:
    try:
        descriptor = json.loads(text)
    except ValueError:
        raise FileRejected(_("The Table Schema is not valid JSON.")) from None
    load_schema(descriptor)
    return descriptor


# --- The file.

def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise FileRejected(_("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)})


def detect_format(name: str, content: bytes) -> str:
    """`csv` or `xlsx`, from the name and the first bytes; FileRejected otherwise."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not content:
        raise FileRejected(_("The file is empty."))
    check_size(len(content))
    if extension == "xlsx":
        if not content.startswith(b"PK\x03\x04"):
            raise FileRejected(_("This is not an XLSX workbook."))
        return "xlsx"
    if extension == "csv":
        if b"\x00" in content[:65536]:
            raise FileRejected(_("This is not a text CSV file."))
        return "csv"
    raise FileRejected(_("Upload a CSV or an XLSX file."))


def _resource(content: bytes, file_format: str, schema=None):
    from frictionless import Resource  # reason: heavy, only for uploads

    return Resource(content, format=file_format, schema=schema) if schema is not None \
        else Resource(content, format=file_format)


# --- The report.

CONSTRAINT = re.compile(r'constraint "(\w+)" is "(.*)"', re.S)


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def describe(error: dict) -> str:
    """One report line in the active language: where, and what is wrong."""
    kind, row, name, cell, note = error["type"], error["row"], error["field"], error.get("cell", ""), error["note"]
    where = (_("Row %(row)s, field %(field)s: ") % {"row": row, "field": name} if row and name
             else _("Row %(row)s: ") % {"row": row} if row
             else _("Field %(field)s: ") % {"field": name} if name else "")
    if kind == "type-error":
        what = _("“%(cell)s” is not a valid %(type)s.") % {"cell": cell, "type": error.get("expected", "")}
    elif kind == "constraint-error":
        found = CONSTRAINT.search(note or "")
        constraint, value = (found.group(1), found.group(2)) if found else (note, "")
        if constraint == "required":
            what = _("a value is required.")
        elif constraint == "enum":
            what = _("“%(cell)s” is not one of the allowed values %(values)s.") % {"cell": cell, "values": value}
        elif constraint == "pattern":
            what = _("“%(cell)s” does not match the expected pattern %(pattern)s.") % {"cell": cell, "pattern": value}
        elif constraint in ("minimum", "minLength"):
            what = _("“%(cell)s” is below the minimum %(value)s.") % {"cell": cell, "value": value}
        elif constraint in ("maximum", "maxLength"):
            what = _("“%(cell)s” is above the maximum %(value)s.") % {"cell": cell, "value": value}
        else:
            what = _("“%(cell)s” breaks the constraint %(constraint)s (%(value)s).") % {
                "cell": cell, "constraint": constraint, "value": value}
    elif kind == "missing-cell":
        what = _("the cell is missing (the row is too short).")
    elif kind == "extra-cell":
        what = _("the row has more cells than the header.")
    elif kind == "blank-row":
        what = _("the row is empty.")
    elif kind in ("primary-key", "unique-error", "duplicate-row"):
        what = _("this row repeats a value that must be unique.")
    elif kind == "missing-label":
        what = _("the column is missing from the file.")
    elif kind in ("extra-label", "incorrect-label"):
        what = _("the column %(label)s is not the one the schema expects here.") % {"label": cell or name}
    elif kind in ("blank-label", "duplicate-label"):
        what = _("a column header is empty or repeated.")
    elif kind in ("format-error", "encoding-error", "source-error", "scheme-error"):
        what = _("the file cannot be read (%(note)s).") % {"note": note}
    else:
        what = f"{kind}: {note}"
    return where + what


@dataclass
class Check:
    """What the checks found: the report (errors in both languages), the row count and the screen."""

    valid: bool
    errors: list[dict]
    row_count: int
    truncated: bool
    findings: list[dict] = field(default_factory=list)

    @property
    def report(self) -> dict:
        return {"valid": self.valid, "error_count": len(self.errors), "truncated": self.truncated,
                "rows": self.row_count, "errors": self.errors}


def validate(content: bytes, file_format: str, descriptor: dict) -> Check:
    """The frictionless report of the file against the schema, each error located and said in FR and EN."""
    schema = load_schema(descriptor)
    report = _resource(content, file_format, schema).validate(limit_errors=MAX_ERRORS, limit_rows=MAX_ROWS)
    task = report.tasks[0] if report.tasks else None
    errors = []
    for item in [*report.errors, *(task.errors if task else [])]:
        field_name = getattr(item, "field_name", "") or ""
        expected = ""
        if field_name and field_name in schema.field_names:
            column = schema.get_field(field_name)
            expected = column.type + (f" ({column.format})" if column.format not in ("default", None) else "")
        error = {"type": item.type, "row": getattr(item, "row_number", None), "field": field_name,
                 "cell": _cell(getattr(item, "cell", "")), "note": item.note, "expected": expected}
        for language in ("fr", "en"):
            with translation.override(language):
                error[f"message_{language}"] = describe(error)
        errors.append(error)
    rows = (task.stats.get("rows") or 0) if task else 0
    truncated = len(errors) >= MAX_ERRORS or rows >= MAX_ROWS
    if rows >= MAX_ROWS:
        errors.append({"type": "too-many-rows", "row": None, "field": "", "cell": "", "note": "", "expected": "",
                       **{f"message_{lang}": _too_many(lang) for lang in ("fr", "en")}})
    return Check(valid=report.valid and not truncated, errors=errors, row_count=rows, truncated=truncated)


def _too_many(language: str) -> str:
    with translation.override(language):
        return _("The file has more than %(rows)s rows.") % {"rows": MAX_ROWS}


# --- The personal-data screen.

EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?:(?:\+|00)33\s?\(?0?\)?|0)[1-9](?:[\s.\-]?\d{2}){4}")
NIR = re.compile(r"([1-478])\s?(\d{2})\s?(0[1-9]|1[0-2]|[2-9]\d)\s?(\d[\dAB]|2[AB])\s?(\d{3})\s?(\d{3})\s?(\d{2})")
IBAN = re.compile(r"[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){11,30}")
HEADER_HINTS = {
    "email": re.compile(r"e[-_ ]?mail|courriel|mel\b", re.I),
    "phone": re.compile(r"t[ée]l[ée]?phone|\btel\b|\bt[ée]l\b|portable|mobile|phone", re.I),
    "nir": re.compile(r"\bnir\b|s[ée]curit[ée][-_ ]?sociale|num[-_ ]?secu|\bsecu\b", re.I),
    "iban": re.compile(r"\biban\b|\brib\b|\bbic\b", re.I),
}
KINDS = ("email", "phone", "nir", "iban")


def _nir_ok(text: str) -> bool:
    found = NIR.fullmatch(text.strip())
    if not found:
        return False
    digits = "".join(found.groups()[:-1]).replace("2A", "19").replace("2B", "18")
    if not digits.isdigit():
        return False
    return 97 - int(digits) % 97 == int(found.group(7))


def _iban_ok(text: str) -> bool:
    compact = text.replace(" ", "").upper()
    if not IBAN.fullmatch(compact) or not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def kind_of(value) -> str | None:
    """Which kind of personal data a cell looks like, if any."""
    text = "" if value is None else str(value).strip()
    if not text or len(text) > 254:
        return None
    if EMAIL.fullmatch(text):
        return "email"
    if _iban_ok(text):
        return "iban"
    if _nir_ok(text):
        return "nir"
    if PHONE.fullmatch(text):
        return "phone"
    return None


def screen(content: bytes, file_format: str) -> list[dict]:
    """Columns that look personal: [{field, kind, count, rows (the first five), by_header}]."""
    cells = _resource(content, file_format).read_cells()
    if not cells:
        return []
    header, body = [str(label or "") for label in cells[0]], cells[1:]
    found: dict[tuple[int, str], dict] = {}
    for offset, row in enumerate(body):
        for index, value in enumerate(row):
            kind = kind_of(value)
            if kind is None:
                continue
            label = header[index] if index < len(header) else f"#{index + 1}"
            finding = found.setdefault((index, kind), {"field": label, "kind": kind, "count": 0, "rows": [],
                                                       "by_header": False})
            finding["count"] += 1
            if len(finding["rows"]) < 5:
                finding["rows"].append(offset + 2)
    for index, label in enumerate(header):
        for kind, pattern in HEADER_HINTS.items():
            if pattern.search(label) and (index, kind) not in found:
                found[(index, kind)] = {"field": label, "kind": kind, "count": 0, "rows": [], "by_header": True}
    return [found[key] for key in sorted(found)]


def kind_label(kind: str) -> str:
    return {"email": _("e-mail addresses"), "phone": _("phone numbers"),
            "nir": _("social-security numbers (NIR)"), "iban": _("IBANs")}.get(kind, kind)


# --- Reading the rows to load.

def json_cell(value):
    """A typed cell as stored in the row table: dates ISO, datetimes in UTC as the database compares them."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return str(value.astimezone(dt.UTC).replace(tzinfo=None))
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def read_rows(content: bytes, file_format: str, descriptor: dict):
    """(line, {field: cell}) for every row of a valid file, typed after the schema."""
    schema = load_schema(descriptor)
    with _resource(content, file_format, schema) as resource:
        for row in resource.row_stream:
            yield row.row_number, {name: json_cell(row[name]) for name in schema.field_names}
