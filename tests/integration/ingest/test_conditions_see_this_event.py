"""Ingest builds what conditions read (the event, the customer, freshness) once, on first use.
Whenever that is, a condition sees the customer as of the event being processed: trigger,
goal and exit conditions that read an attribute the same event sets see its new value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tact.local.report import SimulationReport
from tact.local.simulator import Simulation
from tests.support.paths import JOURNEYS, journeys_folder

FIRST_ORDER = """\
id: first_order
name: Thanks for a first order
trigger: {event: purchase_completed, when: "customer.order_count = 1"}
steps:
  - send: {id: thanks, channel: email, template: note}
"""
FINNISH = """\
id: finnish
name: Finnish speakers
trigger: {event: customer_updated, when: "customer.locale = 'fi'"}
exit_on:
  - {event: customer_updated, when: "customer.locale != 'fi'"}
steps:
  - goal: {event: purchase_completed, when: "customer.total_spent >= 100"}
  - wait: 1d
  - send: {id: tervetuloa, channel: email, template: note}
"""
NOTE = "email: {subject: Hi, text: 'Hello. {{ links.unsubscribe }}'}\n"


def _event(event_id: str, kind: str, data: dict[str, Any], at: str) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "customer_id": "ana", "time": at, "data": data}


def _consents() -> list[dict[str, Any]]:
    return [_event("c-1", "consent_changed", {"channel": "email", "purpose": "marketing",
                                               "granted": True, "source": "signup_form"},
                   "2026-11-02T08:00:00Z"),
            _event("u-0", "customer_updated", {"email": "ana@example.com"},
                   "2026-11-02T08:00:01Z")]


def _order(event_id: str, value: float, at: str) -> dict[str, Any]:
    return _event(event_id, "purchase_completed", {
        "order_id": event_id, "value": value, "currency": "EUR",
        "items": [{"sku": "s", "price": value, "quantity": 1}]}, at)


def _run(tmp_path: Path, events: list[dict[str, Any]]) -> SimulationReport:
    folder = journeys_folder(tmp_path / "journeys", {"first_order": FIRST_ORDER,
                                                     "finnish": FINNISH}, {"note": NOTE})
    simulation = Simulation(folder, store="memory", functions_dir=JOURNEYS.parent / "functions")
    return simulation.run(events)


def _decisions(report: SimulationReport, kind: str) -> list[str]:
    return [f"{t.journey}:{t.customer_id}" for t in report.timeline if t.what == kind]


def test_a_trigger_condition_sees_the_attribute_its_own_event_sets(tmp_path: Path) -> None:
    report = _run(tmp_path, [*_consents(),
                             _order("o-1", 30, "2026-11-02T09:00:00Z"),
                             _order("o-2", 30, "2026-11-02T10:00:00Z"),
                             _event("u-1", "customer_updated", {"locale": "fi"},
                                    "2026-11-02T11:00:00Z")])
    started = _decisions(report, "started")
    assert started.count("first_order:ana") == 1  # order_count 1 on o-1, 2 on o-2
    assert "finnish:ana" in started  # locale set by the trigger event itself


def test_goal_and_exit_conditions_see_what_their_event_sets(tmp_path: Path) -> None:
    converted = _run(tmp_path, [*_consents(),
                                _event("u-1", "customer_updated", {"locale": "fi"},
                                       "2026-11-02T11:00:00Z"),
                                _order("o-1", 150, "2026-11-02T12:00:00Z")])
    assert "finnish:ana" in _decisions(converted, "converted")  # total_spent 150 by o-1

    exited = _run(tmp_path / "exit", [*_consents(),
                                      _event("u-1", "customer_updated", {"locale": "fi"},
                                             "2026-11-02T11:00:00Z"),
                                      _event("u-2", "customer_updated", {"locale": "sv"},
                                             "2026-11-02T12:00:00Z")])
    assert "finnish:ana" in _decisions(exited, "stopped")
    assert not [m for m in exited.messages if m["journey"] == "finnish"]
