"""JSON Schemas of the files marketers edit, for editor autocompletion and CI checks.

Generated from the pydantic models (the single source of truth), then widened where the
loader accepts a shorthand (``wait: 2h``, ``exit_on: [purchase_completed]``, ``goal: event``)
and narrowed where it helps completion (event type names).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tact.journey.model import Journey
from tact.journey.schema_rules import tighten_journey, tighten_settings
from tact.journey.settings import Settings
from tact.models.events import EVENT_TYPES
from tact.templates import MessageTemplate

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DURATION = {"type": "string", "pattern": r"^\s*(\d+\s*[smhdw]\s*)+$", "examples": ["2h", "1d"]}
TIME_OF_DAY = {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$", "examples": ["09:00"]}
FILES = {"journey": "journey.schema.json", "settings": "settings.schema.json",
         "template": "template.schema.json", "broadcast": "broadcast.schema.json",
         "segment": "segment.schema.json"}


def _event_enum() -> dict[str, Any]:
    return {"type": "string", "enum": list(EVENT_TYPES)}


def journey_schema() -> dict[str, Any]:
    schema = Journey.model_json_schema(by_alias=True)
    defs = schema["$defs"]
    for name in ("Trigger", "ExitRule", "GoalSpec"):
        defs[name]["properties"]["event"].update(_event_enum())
    defs["WaitStep"]["properties"]["wait"] = {
        "description": "a duration (2h), a local time of day (\"09:00\") or the full form",
        "anyOf": [DURATION, TIME_OF_DAY, {"type": "integer", "minimum": 60},
                  {"$ref": "#/$defs/WaitSpec"}]}
    defs["GoalStep"]["properties"]["goal"] = {
        "anyOf": [_event_enum(), {"$ref": "#/$defs/GoalSpec"}]}
    defs["ExitStep"]["properties"]["exit"] = {
        "description": "end the journey here; optionally with a reason",
        "anyOf": [{"type": "string"}, {"type": "null"}, {"$ref": "#/$defs/ExitSpec"}]}
    schema["properties"]["exit_on"]["items"] = {
        "anyOf": [_event_enum(), {"$ref": "#/$defs/ExitRule"}]}
    tighten_journey(schema)
    return _finish(schema, "Tact journey")


def settings_schema() -> dict[str, Any]:
    schema = Settings.model_json_schema(by_alias=True)
    tighten_settings(schema)
    return _finish(schema, "Tact settings")


def template_schema() -> dict[str, Any]:
    return _finish(MessageTemplate.model_json_schema(by_alias=True), "Tact message template")


def broadcast_schema() -> dict[str, Any]:
    from tact.broadcast.model import Broadcast

    schema = Broadcast.model_json_schema(by_alias=True)
    # The loader reads "50/s" and "5%" as numbers; editors should offer the written forms.
    schema["properties"]["throttle"] = {
        "description": schema["properties"]["throttle"].get("description", ""),
        "anyOf": [{"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*/\s*(s|sec|second|m|min|"
                   r"minute|h|hour)\s*$", "examples": ["50/s", "3000/min"]},
                  {"type": "number", "exclusiveMinimum": 0}, {"type": "null"}]}
    # An instant as the loader reads it (with Z or an offset), as a pattern: editors and
    # validators check a pattern everywhere, a date-time format only where a plugin knows it.
    schema["properties"]["at"]["oneOf"] = [
        {"$ref": "#/$defs/LocalTime"},
        {"type": "string", "examples": ["2026-11-05T09:00:00Z"],
         "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$"}]
    return _finish(schema, "Tact broadcast")


def segment_schema() -> dict[str, Any]:
    from tact.broadcast.model import Segment

    return _finish(Segment.model_json_schema(by_alias=True), "Tact segment")


def _finish(schema: dict[str, Any], title: str) -> dict[str, Any]:
    return {"$schema": DRAFT, **schema, "title": title}


def schemas() -> dict[str, dict[str, Any]]:
    return {"journey": journey_schema(), "settings": settings_schema(),
            "template": template_schema(), "broadcast": broadcast_schema(),
            "segment": segment_schema()}


def write_schemas(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, schema in schemas().items():
        path = out_dir / FILES[kind]
        path.write_text(json.dumps(schema, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
