"""Issue 15: names a shop declares in settings are known to the JSON Schemas too: `tact schema`
writes the schemas of the events that carry them, for the shop's backend to check what it
sends."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from tact.cli import app

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "journeys" / "examples"


def _event(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": "e1", "type": kind, "customer_id": "c1", "time": "2026-11-30T09:00:00Z",
            "data": data}


def test_declared_fields_and_attributes_are_in_the_exported_event_schemas(
        tmp_path: Path) -> None:
    project = tmp_path / "journeys"
    shutil.copytree(EXAMPLES / "templates", project / "templates")
    shutil.copy(EXAMPLES / "abandoned_cart.yaml", project / "abandoned_cart.yaml")
    settings = (EXAMPLES / "settings.yaml").read_text(encoding="utf-8")
    (project / "settings.yaml").write_text(settings + (
        "event_fields: {cart_updated: {coupon: string, items.brand: string}}\n"
        "customer_attributes: {loyalty_tier: string, points: integer}\n"), encoding="utf-8")
    out = tmp_path / "schemas"
    result = CliRunner().invoke(app, ["schema", "--out", str(out), "--journeys", str(project)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in (out / "events").glob("*.json")} == {
        "cart_updated.schema.json", "customer_updated.schema.json", "signup.schema.json",
        "account_created.schema.json"}

    def check(name: str, event: dict[str, Any]) -> bool:
        schema = json.loads((out / "events" / name).read_text())
        validator = Draft202012Validator(schema,
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
        return validator.is_valid(event)

    cart = {"cart_id": "k1", "value": 40, "coupon": "X1",
            "items": [{"sku": "s", "price": 40, "brand": "Acme"}]}
    assert check("cart_updated.schema.json", _event("cart_updated", cart))
    assert not check("cart_updated.schema.json", _event("cart_updated", {**cart, "coupon": 5}))
    assert not check("cart_updated.schema.json", _event("cart_updated", {
        **cart, "items": [{"sku": "s", "price": 40, "brand": 7}]}))
    profile = {"email": "a@example.com", "attributes": {"loyalty_tier": "gold", "points": 3}}
    assert check("customer_updated.schema.json", _event("customer_updated", profile))
    assert not check("customer_updated.schema.json", _event("customer_updated", {
        "attributes": {"tier": "gold"}}))  # not declared
    assert not check("customer_updated.schema.json", _event("customer_updated", {
        "attributes": {"points": "many"}}))
