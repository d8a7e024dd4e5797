"""A backtest that exports nothing makes no decision records (nobody reads them); the run
itself must not notice: the same messages, suppressions and timeline as with them."""

from __future__ import annotations

from tact.generate import generate
from tact.local.simulator import Simulation
from tests.support.paths import JOURNEYS


def test_a_run_without_decision_records_decides_the_same() -> None:
    events = sorted(generate(60, 7, seed=3), key=lambda e: (e["time"], e["customer_id"]))
    with_records = Simulation(JOURNEYS / "examples", store="memory").run(events)
    without = Simulation(JOURNEYS / "examples", store="memory", decisions=False).run(events)
    assert with_records.decisions and not without.decisions
    assert without.messages == with_records.messages and with_records.messages
    assert without.suppressed == with_records.suppressed
    assert without.timeline == with_records.timeline
    assert without.items == with_records.items
