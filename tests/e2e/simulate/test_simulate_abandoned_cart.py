"""Issue 3 acceptance: the abandoned-cart journey simulated end to end.

Each run goes through the real ingest and send handlers, moto (DynamoDB, SES v2, Step
Functions) and the compiled state machine run by the local executor on a virtual clock.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tact.cli import app
from tact.local.simulator import Simulation
from tests.support.paths import JOURNEYS

DAY = "2026-11-02"


def event(event_id: str, kind: str, at: str, data: dict[str, Any],
          customer: str = "ana") -> dict[str, Any]:
    time = at if "T" in at else f"{DAY}T{at}Z"
    return {"id": event_id, "type": kind, "customer_id": customer, "time": time, "data": data}


def profile(customer: str = "ana") -> dict[str, Any]:
    return event(f"{customer}-p", "customer_updated", "07:00:00",
                 {"email": f"{customer}@example.com", "timezone": "Europe/Berlin"}, customer)


def consent(granted: bool, at: str = "07:30:00", customer: str = "ana",
            event_id: str | None = None) -> dict[str, Any]:
    return event(event_id or f"{customer}-c-{at}", "consent_changed", at,
                 {"channel": "email", "purpose": "marketing", "granted": granted}, customer)


def cart(at: str = "09:00:00", event_id: str = "cart-1", value: float = 40,
         customer: str = "ana") -> dict[str, Any]:
    return event(event_id, "cart_updated", at, {
        "cart_id": "c1", "value": value, "currency": "EUR",
        "items": [{"sku": "S1", "name": "Mug", "category": "home", "price": value,
                   "quantity": 1}]}, customer)


def purchase(at: str) -> dict[str, Any]:
    return event("order-1", "purchase_completed", at,
                 {"order_id": "o1", "cart_id": "c1", "value": 40, "currency": "EUR"})


def run(events: list[dict[str, Any]]) -> dict[str, Any]:
    return Simulation(JOURNEYS).run(events).to_json()


def sent_times(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(m["step"], m["sent_at"]) for m in report["messages"]]


def test_consent_and_cart_give_two_reminders_at_2h_and_26h() -> None:
    report = run([profile(), consent(True), cart("09:00:00")])
    assert sent_times(report) == [("reminder_1", f"{DAY}T11:00:00Z"),
                                  ("reminder_2", "2026-11-03T11:00:00Z")]
    assert all(m["channel"] == "email" for m in report["messages"])
    assert report["suppressed"] == []


def test_purchase_after_three_hours_leaves_exactly_one_reminder() -> None:
    report = run([profile(), consent(True), cart("09:00:00"), purchase("12:00:00")])
    assert sent_times(report) == [("reminder_1", f"{DAY}T11:00:00Z")]
    assert [s["reason"] for s in report["suppressed"]] == ["exited"]


def test_no_consent_means_no_message_and_a_no_consent_suppression() -> None:
    report = run([profile(), cart("09:00:00")])
    assert report["messages"] == []
    reasons = {(s["step"], s["reason"]) for s in report["suppressed"]}
    assert reasons == {("reminder_1", "no_consent"), ("reminder_2", "no_consent")}


def test_the_same_event_twice_gives_the_same_result_as_once() -> None:
    once = run([profile(), consent(True), cart("09:00:00")])
    twice = run([profile(), consent(True), cart("09:00:00"), cart("09:00:00")])
    assert twice == once
    assert len(twice["messages"]) == 2


def test_consent_revoked_after_the_first_reminder_stops_the_second() -> None:
    report = run([profile(), consent(True), cart("09:00:00"),
                  consent(False, at="15:00:00")])
    assert sent_times(report) == [("reminder_1", f"{DAY}T11:00:00Z")]
    assert [(s["step"], s["reason"]) for s in report["suppressed"]] == [
        ("reminder_2", "no_consent")]


def test_a_further_cart_update_restarts_the_two_hour_timer() -> None:
    report = run([profile(), consent(True), cart("09:00:00"),
                  cart("10:30:00", event_id="cart-2", value=60)])
    assert sent_times(report)[0] == ("reminder_1", f"{DAY}T12:30:00Z")
    assert len(report["messages"]) == 2


def test_cli_simulate_json_prints_the_documented_shape(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(json.dumps(e) for e in
                                [profile(), consent(True), cart("09:00:00")]) + "\n")
    result = CliRunner().invoke(app, ["simulate", "--events", str(events),
                                      "--journeys", str(JOURNEYS), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) == {"messages", "suppressed"}
    assert set(body["messages"][0]) >= {"customer_id", "journey", "step", "channel", "template",
                                        "sent_at"}


@pytest.mark.parametrize("bad_line", ['{"id": "x"', '{"id":"e","type":"nope","customer_id":"a",'
                                      '"time":"2026-11-02T09:00:00Z","data":{}}'])
def test_malformed_and_unknown_events_are_reported_not_crashed(tmp_path: Path,
                                                               bad_line: str) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join([json.dumps(profile()), bad_line]) + "\n")
    result = CliRunner().invoke(app, ["simulate", "--events", str(events),
                                      "--journeys", str(JOURNEYS), "--json"])
    assert result.exit_code == 1  # reported, counted, and not passed over quietly
    assert "Traceback" not in result.output
    assert f"{events}:2: event skipped" in result.stderr
