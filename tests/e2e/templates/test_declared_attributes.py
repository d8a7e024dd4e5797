"""Issue 15: custom customer attributes are declared with a type in settings, set through a
`customer_updated` `attributes` map, read by templates; ingest dead-letters what contradicts
the declaration (with the reason), never stores it silently."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tact.local.simulator import Simulation

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "journeys" / "examples"

JOURNEY = """\
id: tiered
name: Tiered
trigger: {event: cart_updated, when: "cart.coupon = 'X1'"}
exit_on: [purchase_completed]
steps:
  - wait: 2h
  - send: {id: reminder, template: tiered}
"""
TEMPLATE = """\
email:
  subject: "Your cart is saved"
  text: "Tier {{ customer.loyalty_tier }}, coupon {{ cart.coupon }}. {{ links.unsubscribe }}"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "templates", tmp_path / "templates")
    settings = (EXAMPLES / "settings.yaml").read_text()
    (tmp_path / "settings.yaml").write_text(
        settings + "event_fields: {cart_updated: {coupon: string}}\n"
        "customer_attributes: {loyalty_tier: string}\n")
    (tmp_path / "templates" / "tiered.yaml").write_text(TEMPLATE)
    (tmp_path / "tiered.yaml").write_text(JOURNEY)
    return tmp_path


def _events(customer: str, attributes: dict[str, Any],
            coupon: Any = "X1") -> list[dict[str, Any]]:
    def event(n: int, kind: str, at: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"id": f"{customer}-{n}", "type": kind, "customer_id": customer,
                "time": f"2026-11-02T{at}Z", "data": data}

    return [event(1, "customer_updated", "07:00:00", {"email": f"{customer}@example.com",
                                                       "attributes": attributes}),
            event(2, "consent_changed", "07:01:00", {"channel": "email", "purpose": "marketing",
                                                      "granted": True}),
            event(3, "cart_updated", "09:00:00", {"cart_id": "c1", "value": 40,
                                                   "coupon": coupon})]


def test_declared_attribute_is_set_by_customer_updated_and_read_by_templates(
        project: Path) -> None:
    sim = Simulation(project, store="memory", functions_dir=ROOT / "functions")
    report = sim.run(_events("ana", {"loyalty_tier": "gold"}))
    assert report.rejected_events == [] and report.suppressed == []
    assert [m.content["text"].split(".")[0] for m in sim.outbox.sent] == [
        "Tier gold, coupon X1"]


def test_undeclared_or_mistyped_data_is_dead_lettered_with_the_reason(project: Path) -> None:
    sim = Simulation(project, store="memory", functions_dir=ROOT / "functions")
    report = sim.run([*_events("bo", {"tier": "gold"}), *_events("cy", {"loyalty_tier": 5}),
                      *_events("di", {"order_count": 9}),
                      *_events("ed", {"loyalty_tier": "gold"}, coupon=7)])
    reasons = " | ".join(r["reason"] for r in report.rejected_events)
    assert "data.attributes.tier: not declared" in reasons
    assert "data.attributes.loyalty_tier: expected string, got int 5" in reasons
    assert "'order_count' is a built-in attribute" in reasons
    assert "data.coupon: expected string, got int 7" in reasons
    assert len(report.rejected_events) == 4
