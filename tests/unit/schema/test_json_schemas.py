"""Issue 15 finding 9: the exported JSON Schemas (infra/schemas/journeys) as an editor uses them,
through an independent validator (`jsonschema`) with format checking on: every shipped journey,
settings and template file passes, and every file of tests/unit/validate/invalid whose error
a schema can express fails it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from tact.journey.schema import FILES, schemas

ROOT = Path(__file__).resolve().parents[3]
EXPORTED = ROOT / "infra" / "schemas" / "journeys"
INVALID = sorted((ROOT / "tests" / "unit" / "validate" / "invalid").glob("*.yaml"))

# What a schema cannot see, each with the reason; every other invalid file must fail its schema.
NOT_EXPRESSIBLE = {
    "journey_bad_expression": "JSONata syntax inside a string",
    "journey_duplicate_step_id": "ids unique across nested steps",
    "journey_sensitive_condition": "a name inside a JSONata expression",
    "journey_sensitive_location": "a name inside a JSONata expression",
    "journey_spacing": "time between sends along each path",
    "journey_spacing_in_branch": "time between sends along each path",
    "journey_unknown_attribute": "a name inside a JSONata expression",
    "journey_unknown_event_field": "a name inside a JSONata expression",
    "journey_unknown_root": "a name inside a JSONata expression",
    "journey_unknown_template": "another file",
    "journey_unreachable": "every path through the steps",
    "journey_update_sensitive": "a commented waiver may allow it; schemas do not see comments",
    "settings_bad_timezone": "the zone list is the machine's tz database, not a fixed set",
    "template_sensitive": "Liquid inside a string",
    "template_syntax": "Liquid inside a string",
    "template_undefined_variable": "Liquid inside a string",
    "template_unknown_attribute": "Liquid inside a string",
    "template_unknown_filter": "Liquid inside a string",
    "template_unknown_link": "Liquid inside a string",
}


def _kind(path: Path) -> str | None:
    if path.name == "settings.yaml":
        return "settings"
    if "templates" in path.parts:
        return "template"
    if "customers" in path.parts:  # sample customers for `tact preview`, not a project file
        return None
    for folder, kind in (("broadcasts", "broadcast"), ("segments", "segment")):
        if folder in path.parts:
            return kind
    return "journey"


SHIPPED = [p for p in sorted((ROOT / "journeys").rglob("*.yaml")) if _kind(p)]


def _validator(kind: str) -> Draft202012Validator:
    schema = json.loads((EXPORTED / FILES[kind]).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _errors(kind: str, path: Path) -> list[str]:
    data: Any = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in _validator(kind).iter_errors(data or {})]


def test_exported_schemas_are_what_the_exporter_writes() -> None:
    for kind, schema in schemas().items():
        committed = (EXPORTED / FILES[kind]).read_text(encoding="utf-8")
        assert committed == json.dumps(schema, indent=2) + "\n", (
            f"{FILES[kind]} is stale: run `tact schema`")


def test_every_format_in_the_schemas_is_really_checked() -> None:
    """A format the checker does not know passes silently; editors (ajv) do check them."""
    def formats(node: Any) -> set[str]:
        if isinstance(node, dict):
            found = {node["format"]} if isinstance(node.get("format"), str) else set()
            return found.union(*(formats(v) for v in node.values()))
        if isinstance(node, list):
            return set().union(*(formats(v) for v in node))
        return set()

    used = set().union(*(formats(s) for s in schemas().values()))
    assert used <= set(Draft202012Validator.FORMAT_CHECKER.checkers), used


def test_there_are_shipped_files_of_every_kind() -> None:
    assert {_kind(p) for p in SHIPPED} >= {"journey", "settings", "template"}


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(ROOT)) for p in SHIPPED])
def test_shipped_file_passes_its_schema(path: Path) -> None:
    kind = _kind(path)
    assert kind is not None
    assert _errors(kind, path) == []


@pytest.mark.parametrize("case", INVALID, ids=[c.stem for c in INVALID])
def test_invalid_file_fails_its_schema_where_a_schema_can_say_it(case: Path) -> None:
    kind = case.name.split("_", 1)[0]
    if kind not in FILES or case.stem in NOT_EXPRESSIBLE:
        pytest.skip(NOT_EXPRESSIBLE.get(case.stem, "not a file kind with a schema"))
    try:
        errors = _errors(kind, case)
    except Exception as err:  # not even YAML: rejected before any schema
        errors = [str(err)]
    assert errors, f"{case.name} passes the {kind} schema"


def test_the_hh_mm_quiet_hours_of_the_shipped_settings_pass_and_seconds_do_not() -> None:
    validator = _validator("settings")
    assert validator.is_valid({"quiet_hours": {"start": "21:00", "end": "08:00"}})
    assert not validator.is_valid({"quiet_hours": {"start": "21:00:00+02:00", "end": "08:00"}})
