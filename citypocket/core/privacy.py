"""Personal-data registry for GDPR self-service: each app declares what it keeps about a person.

`export(user)` returns JSON-serialisable data; `erase(user)` deletes or anonymises it before the
account is deleted (anything not erased explicitly goes with the account through CASCADE).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PersonalData:
    name: str
    export: Callable[[Any], Any]
    erase: Callable[[Any], None] | None = None


_registry: dict[str, PersonalData] = {}


def register_personal_data(name: str, *, export: Callable[[Any], Any], erase: Callable[[Any], None] | None = None):
    _registry[name] = PersonalData(name=name, export=export, erase=erase)


def list_personal_data() -> list[PersonalData]:
    return [_registry[name] for name in sorted(_registry)]
