"""The JSON Schemas of the files asukasbudjetti reads and writes, generated from the models.

``asukasbudjetti schema`` prints the cycle file's, ``asukasbudjetti schema --record``
the result record's. The copies in docs/ (and the record's in the package,
``record.schema.json``) are written by those commands; a test fails when a copy
differs from what the models generate.
"""

from __future__ import annotations

import json
from typing import Any

from asukasbudjetti.model.cycle import Cycle
from asukasbudjetti.model.record import SCHEMA_VERSION, Record

#: The JSON Schema dialect pydantic generates.
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def record_schema() -> dict[str, Any]:
    """The result record's JSON Schema, from :class:`~asukasbudjetti.model.record.Record`."""
    schema = Record.model_json_schema(by_alias=True)
    return {
        "$schema": DIALECT,
        "$id": f"asukasbudjetti-record-{SCHEMA_VERSION}",
        **schema,
        "title": f"asukasbudjetti result record, schema version {SCHEMA_VERSION}",
    }


def cycle_schema() -> dict[str, Any]:
    """The budget cycle file's JSON Schema, from :class:`~asukasbudjetti.model.cycle.Cycle`."""
    return Cycle.model_json_schema()


def schema_text(schema: dict[str, Any]) -> str:
    """A schema as the shipped copies hold it: indented, sorted keys, one final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def record_schema_text() -> str:
    return schema_text(record_schema())


def cycle_schema_text() -> str:
    return schema_text(cycle_schema())
