"""The national Table Schemas shipped with the platform (schema.data.gouv.fr), each with its source,
version and licence (`opendata/tableschemas/SOURCES.txt`). A data publisher picks one of them, or
gives the Table Schema of their own, when uploading a file."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).parent / "tableschemas"
LICENCE_OUVERTE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


@dataclass(frozen=True)
class NationalSchema:
    key: str  # its name on schema.data.gouv.fr
    title: str
    version: str
    url: str  # the page of this version on schema.data.gouv.fr: what a dataset `conformsTo`
    source: str  # the repository the file was copied from, and its commit
    licence: str
    filename: str

    @property
    def descriptor(self) -> dict:
        return _read(self.filename)


@cache
def _read(filename: str) -> dict:
    return json.loads((FOLDER / filename).read_text(encoding="utf-8"))


NATIONAL_SCHEMAS = {
    schema.key: schema
    for schema in (
        NationalSchema(
            key="etalab/schema-lieux-covoiturage", title="Lieux de covoiturage", version="0.2.0",
            url="https://schema.data.gouv.fr/etalab/schema-lieux-covoiturage/0.2.0/",
            source="https://github.com/etalab/schema-lieux-covoiturage@a89ace20ca76d08be825df2e2fd217496cb0abe3",
            licence=LICENCE_OUVERTE, filename="etalab-schema-lieux-covoiturage-0.2.0.json",
        ),
        NationalSchema(
            key="etalab/schema-stationnement", title="Lieux de stationnement", version="0.1.5",
            url="https://schema.data.gouv.fr/etalab/schema-stationnement/0.1.5/",
            source="https://github.com/etalab/schema-stationnement@59d5691c98221475a904239f261585db9e0a7de6",
            licence=LICENCE_OUVERTE, filename="etalab-schema-stationnement-0.1.5.json",
        ),
    )
}


def get_national_schema(key: str) -> NationalSchema | None:
    return NATIONAL_SCHEMAS.get(key)
