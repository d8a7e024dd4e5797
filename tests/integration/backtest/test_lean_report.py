"""A backtest's simulations leave out the timeline's entry for each event and the executions'
records (Simulation(full_report=False)): its totals count neither, so they are the same."""

from __future__ import annotations

from tact.backtest.shards import send_steps
from tact.backtest.totals import from_report
from tact.generate import generate
from tact.local.simulator import Simulation
from tests.support.paths import JOURNEYS


def test_a_lean_report_counts_the_same() -> None:
    events = sorted(generate(80, 7, seed=5), key=lambda e: (e["time"], e["customer_id"]))
    full_run = Simulation(JOURNEYS / "examples", store="memory")
    full = full_run.run(events)
    lean_run = Simulation(JOURNEYS / "examples", store="memory", full_report=False)
    lean = lean_run.run(events)
    assert full.executions and not lean.executions
    assert any(entry.what == "event" for entry in full.timeline)
    assert lean.timeline == [entry for entry in full.timeline if entry.what != "event"]
    assert lean.messages == full.messages and full.messages
    assert lean.suppressed == full.suppressed and lean.items == full.items
    steps = send_steps(full_run.definitions)
    assert (from_report(lean, steps).to_json(lists=True)
            == from_report(full, steps).to_json(lists=True))
    assert ([e.arn for e in lean_run.journey_executions()]
            == [e.arn for e in full_run.journey_executions()])
    assert [r["customer_id"] for r in full.executions] == [
        e.input["customer_id"] for e in lean_run.journey_executions()]
