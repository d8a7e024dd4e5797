"""Versioned JSON Schema of every shop event type, generated from the pydantic models.

Published in ``infra/schemas/`` (``<type>.v<N>.schema.json``) so shop teams can validate what
they emit; a test fails when a committed file differs from what the models generate.
Regenerate with ``python -m tact.models.event_schemas infra/schemas``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from tact.models.events import _ID, DATA_MODELS, SCHEMA_VERSIONS


def schema_for(event_type: str) -> dict[str, Any]:
    data_model = DATA_MODELS[event_type]
    version = SCHEMA_VERSIONS[event_type]

    # The envelope with this type's data in place of the generic dict.
    envelope: type[BaseModel] = type(
        f"{data_model.__name__.removesuffix('Data')}Event",
        (BaseModel,),
        {
            "__annotations__": {"id": _ID, "type": str, "customer_id": _ID, "time": Any,
                                "data": data_model},
            "model_config": ConfigDict(extra="forbid"),
        },
    )
    schema = envelope.model_json_schema(mode="validation")
    props = schema["properties"]
    props["type"] = {"const": event_type, "title": "Type"}
    props["time"] = {"type": "string", "format": "date-time", "title": "Time",
                     "description": "RFC 3339 with a time zone offset, e.g. 2026-11-02T09:00:00Z"}
    schema["required"] = ["id", "type", "customer_id", "time", "data"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:tact:event:{event_type}:v{version}",
        "title": f"Tact event {event_type} v{version}",
        **schema,
    }


JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"}, "number": {"type": "number"}, "integer": {"type": "integer"},
    "boolean": {"type": "boolean"}, "list": {"type": "array"}, "object": {"type": "object"},
    "datetime": {"type": "string", "description": "ISO 8601 date or date-time",
                 "pattern": r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                            r"(Z|[+-]\d{2}:?\d{2})?)?$"},
}
ATTRIBUTE_EVENTS = ("customer_updated", "signup", "account_created")


def declared_schemas(event_fields: Mapping[str, Mapping[str, str]],
                     customer_attributes: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """A shop's own event schemas: Tact's, plus the fields and attributes its settings declare
    (with their types), for the event types that have any. File name -> schema."""
    found: dict[str, dict[str, Any]] = {}
    for event_type in DATA_MODELS:
        fields = event_fields.get(event_type, {})
        attributes = customer_attributes if event_type in ATTRIBUTE_EVENTS else {}
        if not fields and not attributes:
            continue
        schema = schema_for(event_type)
        data = schema["$defs"][schema["properties"]["data"]["$ref"].rsplit("/", 1)[1]]
        for name, kind in fields.items():
            _, _, item_field = name.partition(".")
            if item_field:
                schema["$defs"]["CartItem"]["properties"][item_field] = JSON_TYPES[kind]
            else:
                data["properties"][name] = JSON_TYPES[kind]
        if attributes:
            data["properties"]["attributes"] = {
                "type": "object", "additionalProperties": False,
                "description": "the shop's own attributes, declared in settings.yaml",
                "properties": {name: JSON_TYPES[kind] for name, kind in attributes.items()}}
        found[f"{event_type}.schema.json"] = schema
    return found


def file_name(event_type: str) -> str:
    return f"{event_type}.v{SCHEMA_VERSIONS[event_type]}.schema.json"


def rendered() -> dict[str, str]:
    """File name → content, exactly as committed."""
    return {file_name(t): json.dumps(schema_for(t), indent=2, sort_keys=True) + "\n"
            for t in DATA_MODELS}


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in rendered().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write(Path(sys.argv[1] if len(sys.argv) > 1 else "infra/schemas")):
        print(path)
