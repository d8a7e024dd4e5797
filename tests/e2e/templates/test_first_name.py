"""Issue 15 finding 2: `customer.first_name` is a known attribute, so something must set it
(`customer_updated`), and `| default:` must cover a customer who has none."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tact.local.simulator import Simulation

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "journeys" / "examples"

JOURNEY = """\
id: hello
name: Hello
trigger: {event: cart_updated}
exit_on: [purchase_completed]
steps:
  - wait: 2h
  - send: {id: reminder, template: hello}
"""
TEMPLATE = """\
email:
  subject: "Your cart is saved"
  text: "Hi {{ customer.first_name | default: 'there' }}, your cart waits. {{ links.unsubscribe }}"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "templates", tmp_path / "templates")
    shutil.copy(EXAMPLES / "settings.yaml", tmp_path / "settings.yaml")
    (tmp_path / "templates" / "hello.yaml").write_text(TEMPLATE)
    (tmp_path / "hello.yaml").write_text(JOURNEY)
    return tmp_path


def _events(customer: str, profile: dict[str, Any]) -> list[dict[str, Any]]:
    def event(n: int, kind: str, at: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"id": f"{customer}-{n}", "type": kind, "customer_id": customer,
                "time": f"2026-11-02T{at}Z", "data": data}

    return [event(1, "customer_updated", "07:00:00", {"email": f"{customer}@example.com",
                                                       "timezone": "Europe/Berlin", **profile}),
            event(2, "consent_changed", "07:01:00", {"channel": "email", "purpose": "marketing",
                                                      "granted": True}),
            event(3, "cart_updated", "09:00:00", {"cart_id": "c1", "value": 40})]


def test_first_name_from_customer_updated_is_used_and_default_covers_the_rest(
        project: Path) -> None:
    sim = Simulation(project, store="memory", functions_dir=ROOT / "functions")
    report = sim.run([*_events("ana", {"first_name": "Ana"}), *_events("bo", {})])
    assert report.rejected_events == []
    assert report.suppressed == []
    texts = {m.customer_id: m.content["text"] for m in sim.outbox.sent}
    assert texts["ana"].startswith("Hi Ana, your cart waits.")
    assert texts["bo"].startswith("Hi there, your cart waits.")
