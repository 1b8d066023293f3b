"""Writes of the address base: `import_addresses` loads a parsed BAN extract into a city, all or nothing."""

from dataclasses import dataclass, field

from django.db import transaction

from citypocket.cityinfo.addresses import AddressRecord, ParsedAddresses, normalise, search_text
from citypocket.cityinfo.waste_models import Address

FIELDS = ("number", "suffix", "street", "street_key", "postcode", "citycode", "commune", "lat", "lon",
          "search_text", "source", "is_demo")


@dataclass
class AddressSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.skipped} of other communes, {len(self.rejected)} rejected")


def _values(record: AddressRecord, *, source: str, is_demo: bool) -> dict:
    return {
        "number": record.number, "suffix": record.suffix, "street": record.street,
        "street_key": normalise(record.street)[:200], "postcode": record.postcode, "citycode": record.citycode,
        "commune": record.commune, "lat": record.lat, "lon": record.lon,
        "search_text": search_text(str(record.number or ""), record.suffix, record.street, record.postcode,
                                   record.commune)[:400],
        "source": source, "is_demo": is_demo,
    }


@transaction.atomic
def import_addresses(*, city, parsed: ParsedAddresses, source: str = "ban", is_demo: bool = False) -> AddressSummary:
    """Creates or updates the city's addresses matched on the BAN id; the same file twice changes
    nothing. One transaction: a failure leaves the previous addresses as they were."""
    summary = AddressSummary(skipped=parsed.skipped, rejected=list(parsed.rejected))
    existing = {row.ban_id: row for row in Address.objects.filter(city=city)}
    to_create, to_update = [], []
    for record in parsed.records:
        values = _values(record, source=source, is_demo=is_demo)
        row = existing.get(record.ban_id)
        if row is None:
            to_create.append(Address(city=city, ban_id=record.ban_id, **values))
            existing[record.ban_id] = to_create[-1]
            summary.created += 1
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            to_update.append(row)
            summary.updated += 1
        else:
            summary.unchanged += 1
    Address.objects.bulk_create(to_create, batch_size=2000)
    Address.objects.bulk_update(to_update, FIELDS, batch_size=2000)
    return summary
