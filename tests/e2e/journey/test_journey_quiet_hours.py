"""Quiet hours through the compiled machine on the virtual clock: a send due at 23:30 local
goes out at 08:00 local the next morning, in two time zones, each across a DST change."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tact.local.simulator import Simulation
from tests.support.paths import ROOT

JOURNEY = """\
id: late_cart
name: Cart reminder that falls late in the evening
trigger: {event: cart_updated}
exit_on: [purchase_completed]
purpose: marketing
steps:
  - wait: 2h
  - send: {id: reminder, template: cart_reminder_1}
"""


def _events(customer: str, zone: str, cart_at: str) -> list[dict[str, Any]]:
    return [
        {"id": f"{customer}-p", "type": "customer_updated", "customer_id": customer,
         "time": "2026-10-20T08:00:00Z", "data": {"email": f"{customer}@example.com",
                                                  "timezone": zone}},
        {"id": f"{customer}-c", "type": "consent_changed", "customer_id": customer,
         "time": "2026-10-20T08:01:00Z",
         "data": {"channel": "email", "purpose": "marketing", "granted": True}},
        {"id": f"{customer}-cart", "type": "cart_updated", "customer_id": customer,
         "time": cart_at, "data": {"cart_id": "c1", "value": 30, "currency": "EUR",
                                   "items": [{"sku": "S", "name": "Mug", "price": 30,
                                              "quantity": 1}]}},
    ]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "journeys" / "templates", tmp_path / "templates")
    shutil.copy(ROOT / "journeys" / "settings.yaml", tmp_path / "settings.yaml")
    (tmp_path / "late_cart.yaml").write_text(JOURNEY, encoding="utf-8")
    return tmp_path


def test_send_due_at_2330_local_goes_out_at_0800_local_across_dst(project: Path) -> None:
    events = (
        # Berlin: cart 21:30 CEST on Sat 24 Oct, due 23:30 CEST (21:30Z); clocks go back that
        # night, so 08:00 on Sunday is CET: 07:00Z.
        _events("berta", "Europe/Berlin", "2026-10-24T19:30:00Z")
        # New York: cart 21:30 EDT on Sat 31 Oct, due 23:30 EDT (03:30Z); DST ends that
        # night, so 08:00 on Sunday 1 Nov is EST: 13:00Z.
        + _events("nick", "America/New_York", "2026-11-01T01:30:00Z")
    )
    report = Simulation(project, functions_dir=ROOT / "functions").run(events)
    sent = sorted((m["customer_id"], m["sent_at"]) for m in report.messages)
    assert sent == [("berta", "2026-10-25T07:00:00Z"), ("nick", "2026-11-01T13:00:00Z")]
    deferred = sorted((t.customer_id, t.at) for t in report.timeline if t.what == "deferred")
    assert deferred == [("berta", "2026-10-24T21:30:00Z"), ("nick", "2026-11-01T03:30:00Z")]
