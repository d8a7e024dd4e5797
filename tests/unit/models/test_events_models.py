"""Event models and their published JSON Schemas (infra/schemas)."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from tact.models.event_schemas import file_name, rendered
from tact.models.events import DATA_MODELS, EventError, parse_event
from tests.support.paths import ROOT

SCHEMAS = ROOT / "infra" / "schemas"

SAMPLES: dict[str, dict[str, Any]] = {
    "customer_updated": {"email": "a@example.com", "timezone": "Europe/Berlin"},
    "signup": {"email": "a@example.com"},
    "account_created": {"email": "a@example.com"},
    "consent_changed": {"channel": "email", "purpose": "marketing", "granted": True},
    "cart_updated": {"cart_id": "c1", "value": 40, "items": [{"sku": "s", "price": 40}]},
    "cart_emptied": {"cart_id": "c1"},
    "checkout_started": {"cart_id": "c1", "value": 40},
    "purchase_completed": {"order_id": "o1", "value": 40},
    "order_refunded": {"order_id": "o1", "value": 10, "full": False},
    "lifecycle_changed": {"stage": "lapsed", "previous": "active",
                          "last_purchase_at": "2026-01-01T00:00:00Z"},
}


def envelope(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": "e1", "type": kind, "customer_id": "c-1", "time": "2026-11-02T09:00:00Z",
            "data": data}


def test_every_type_has_a_sample_and_a_committed_schema_that_is_current() -> None:
    assert set(SAMPLES) == set(DATA_MODELS)
    committed = {p.name: p.read_text(encoding="utf-8") for p in SCHEMAS.glob("*.schema.json")}
    stale = [n for n, text in rendered().items() if committed.get(n) != text]
    assert not stale, (f"infra/schemas is out of date for {stale}; run "
                       "`python -m tact.models.event_schemas infra/schemas`")
    assert set(committed) == set(rendered())


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_samples_parse_and_validate_against_the_published_schema(kind: str) -> None:
    raw = envelope(kind, SAMPLES[kind])
    _, data = parse_event(raw)
    assert isinstance(data, DATA_MODELS[kind])
    schema = json.loads((SCHEMAS / file_name(kind)).read_text(encoding="utf-8"))
    jsonschema.validate(raw, schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("kind,data,where", [
    ("order_refunded", {"order_id": "o1"}, "value"),
    ("checkout_started", {"value": 3}, "cart_id"),
    ("lifecycle_changed", {"stage": "sleepy"}, "stage"),
])
def test_bad_data_is_rejected_by_model_and_schema_alike(kind: str, data: dict[str, Any],
                                                       where: str) -> None:
    raw = envelope(kind, data)
    with pytest.raises(EventError, match=where):
        parse_event(raw)
    schema = json.loads((SCHEMAS / file_name(kind)).read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(raw, schema)


def test_a_schema_pins_the_type_and_the_version() -> None:
    schema = json.loads((SCHEMAS / "order_refunded.v1.schema.json").read_text(encoding="utf-8"))
    assert schema["$id"] == "urn:tact:event:order_refunded:v1"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(envelope("purchase_completed", SAMPLES["order_refunded"]), schema)
