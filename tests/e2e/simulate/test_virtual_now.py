"""`$now()`/`$millis()` follow the virtual clock in simulate and backtest (issue 14, finding 6).

The docs' freshness idiom (`$toMillis(...) > $millis() - N`) must judge a replay of old events
by the replay's own time: evaluated on the wall clock, every condition in a replay of last
month (here: of 2020) would be false and nobody would enter.
"""

from __future__ import annotations

import json
from pathlib import Path

from tact.backtest.runner import run_backtest
from tact.local.simulator import Simulation
from tests.support.paths import JOURNEYS, journeys_folder

JOURNEY = """\
id: fresh_cart
name: Reminder while the cart is fresh
trigger: {event: cart_updated, when: "$toMillis(event.time) > $millis() - 3600000"}
exit_on: [purchase_completed]
purpose: transactional  # tact: allow-transactional the test needs no consent set-up
steps:
  - wait: 2h
  - split:
      - if: "$toMillis(event.time) > $toMillis($now()) - 3 * 3600000"
        steps: [{send: {id: fresh, channel: email, template: fresh}}]
      - else: [{exit: stale}]
"""
EVENTS = [
    {"id": "p-1", "type": "customer_updated", "customer_id": "ana",
     "time": "2020-03-02T08:00:00Z", "data": {"email": "ana@example.com"}},
    {"id": "c-1", "type": "cart_updated", "customer_id": "ana", "time": "2020-03-02T09:00:00Z",
     "data": {"cart_id": "c1", "value": 30}},
]


def _journeys(tmp_path: Path) -> Path:
    return journeys_folder(tmp_path / "journeys", {"fresh_cart": JOURNEY}, {
        "fresh": "email: {subject: Your cart, text: 'Still there. {{ links.preferences }}'}\n"})


def test_simulate_judges_freshness_by_the_virtual_clock(tmp_path: Path) -> None:
    report = Simulation(_journeys(tmp_path), store="memory",
                        functions_dir=JOURNEYS.parent / "functions").run(EVENTS)
    messages = report.to_json()["messages"]
    assert [(m["step"], m["sent_at"]) for m in messages] == [("fresh", "2020-03-02T11:00:00Z")]


def test_backtest_judges_freshness_by_the_replay_clock(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(e) + "\n" for e in EVENTS), encoding="utf-8")
    result = run_backtest(events, _journeys(tmp_path), workers=1,
                          functions_dir=JOURNEYS.parent / "functions")
    body = result.totals.to_json(lists=True)
    assert body["journeys"]["fresh_cart"]["entered"] == 1
    assert [(m["step"], m["sent_at"]) for m in body["messages"]] == [
        ("fresh", "2020-03-02T11:00:00Z")]
