"""A backtest worker (and `tact simulate`) validates each event once: it parses the history
before sorting it, and the ingest handler takes that result for the body built from the
event instead of parsing the same content again (tact.ingest.messages.validated_already).
The replay's outcome is the one of validating twice, for an event the handler still refuses
after the hand-over (a body over EventBridge's limit), for nested data and across
redeliveries; the handler's own validation runs only where nothing was handed over; and the
replay leaves its events as they were (the handler's data shares their nested values)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tact.generate.traffic import generate
from tact.ingest import messages
from tact.local.simulator import Simulation, read_events, simulate_file
from tact.models.events import EventError, parse_event
from tests.support.faults import fail_first_cart_write

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "journeys" / "examples"


def history() -> list[dict[str, Any]]:
    """Generated traffic plus events the handler refuses although they parse, as the worker
    reads them (json.loads of each line)."""
    events = generate(25, 7, seed=11)
    first = events[0]["time"]
    events += [
        {"id": "huge", "type": "cart_updated", "customer_id": "c-huge", "time": first,
         "data": {"cart_id": "k", "value": 1, "note": "x" * (300 * 1024)}},
        {"id": "odd", "type": "purchase_completed", "customer_id": "c-odd", "time": first,
         "data": {"order_id": "o", "value": 5, "items": [{"sku": "s", "price": 5,
                                                          "tags": ["a", {"b": [1, 2.5]}]}]}},
    ]
    return [json.loads(json.dumps(e)) for e in events]


def replay(events: list[dict[str, Any]], hand_over: bool) -> tuple[dict[str, Any], int]:
    validated: dict[int, Any] = {}
    if hand_over:
        for raw in events:
            try:
                validated[id(raw)] = parse_event(raw)
            except EventError:
                pass
    handed = len(validated)
    report = Simulation(EXAMPLES, store="memory").run(events, validated=validated)
    outcome = {**report.to_json(), "rejected": report.rejected_events,
               "timeline": [(t.at, t.customer_id, t.what, t.journey, t.step, t.detail)
                            for t in report.timeline]}
    return outcome, handed


@pytest.fixture
def counted_parses(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The handler's own validations (not the worker's)."""
    calls: list[Any] = []
    real = messages.parse_event

    def parse(raw: Any) -> Any:
        calls.append(raw.get("id") if isinstance(raw, dict) else raw)
        return real(raw)

    monkeypatch.setattr(messages, "parse_event", parse)
    return calls


@pytest.fixture
def one_failed_write(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The first cart write fails once: that event is delivered again after the visibility
    timeout (its redelivery has nothing handed over)."""
    return fail_first_cart_write(monkeypatch)


def test_handing_over_changes_nothing_of_the_replay(
        counted_parses: list[Any], one_failed_write: list[str]) -> None:
    plain, _ = replay(history(), hand_over=False)
    assert one_failed_write, "a delivery failed and was retried"
    validations_when_plain = len(counted_parses)
    counted_parses.clear()
    one_failed_write.clear()
    events = history()
    before = json.dumps(events)
    handed, handed_count = replay(events, hand_over=True)
    assert handed == plain
    assert plain["messages"], "journeys ran: the comparison compares something"
    assert any("256 KB" in r["reason"] for r in plain["rejected"])
    # Without: the handler validated every first delivery but the oversized one (refused
    # before parsing), and the redelivery. With: only the redelivery.
    assert validations_when_plain == (handed_count - 1) + 1
    assert len(counted_parses) == 1
    assert json.dumps(events) == before, "the replay left its events as they were"
    assert messages._handed_over == {}, "nothing handed over outlives its delivery"


def test_a_body_that_was_not_handed_over_is_validated(counted_parses: list[Any]) -> None:
    events = history()[:3]
    stranger = json.loads(json.dumps(events[0]))  # equal content, another dict: not handed
    replay_events = [stranger, *events[1:]]
    validated = {id(raw): parse_event(raw) for raw in events}  # keyed by the other dicts
    Simulation(EXAMPLES, store="memory").run(replay_events, validated=validated)
    assert counted_parses[0] == stranger["id"]


def test_tact_simulate_validates_each_line_once(tmp_path: Path,
                                                counted_parses: list[Any]) -> None:
    events = history()
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([*map(json.dumps, events), "{not json",
                               json.dumps({**events[0], "type": "teleported"})]) + "\n",
                    encoding="utf-8")
    report = simulate_file(path, EXAMPLES, store="memory")
    assert counted_parses == [], "every line the file held was validated by the reader alone"
    counted_parses.clear()
    plain = Simulation(EXAMPLES, store="memory").run(read_events(path)[0])
    assert len(counted_parses) == len(events) - 1  # all but the oversized one, as before
    assert report.to_json() == plain.to_json() and report.messages
    assert report.rejected_events[:len(plain.rejected_events)] == plain.rejected_events
    assert [r["line"] for r in report.rejected_events[len(plain.rejected_events):]] == [
        len(events) + 1, len(events) + 2]
