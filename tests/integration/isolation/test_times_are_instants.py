"""Finding 5 of issue 14: event times are instants, never compared as text.

A purchase at 13:30Z written as ``08:30-05:00`` is after a wait that began at 09:00Z; as
strings ``"08:30..." < "09:00..."`` it looked earlier and the wait took its timeout branch.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tact.local.simulator import Simulation
from tact.models.events import EventError, parse_event
from tests.support.paths import JOURNEYS

JOURNEY = """\
id: first_order
name: First order after an account
trigger: {event: account_created}
purpose: marketing
steps:
  - wait_for:
      id: paid
      event: purchase_completed
      timeout: 24h
      on_event:
        - exit: {id: got_paid, reason: bought}
      on_timeout:
        - exit: {id: timed_out, reason: no purchase in a day}
"""
ACCOUNT = {"id": "acc-1", "type": "account_created", "customer_id": "ana",
           "time": "2026-11-02T09:00:00Z", "data": {"email": "ana@example.com"}}


def purchase(time: str, event_id: str = "o-1") -> dict[str, Any]:
    return {"id": event_id, "type": "purchase_completed", "customer_id": "ana", "time": time,
            "data": {"order_id": "o1", "value": 50}}


@pytest.fixture
def journeys(tmp_path: Path) -> Path:
    folder = tmp_path / "journeys"
    folder.mkdir()
    shutil.copy(JOURNEYS / "settings.yaml", folder / "settings.yaml")
    (folder / "first_order.yaml").write_text(JOURNEY, encoding="utf-8")
    return folder


def run(journeys: Path, events: list[dict[str, Any]]) -> dict[str, Any]:
    report = Simulation(journeys, store="memory",
                        functions_dir=JOURNEYS.parent / "functions").run(events)
    [execution] = [e for e in report.executions if e["journey"] == "first_order"]
    return execution


@pytest.mark.parametrize("written", ["2026-11-02T08:30:00-05:00", "2026-11-02T13:30:00Z",
                                     "2026-11-02T22:30:00+09:00"])
def test_an_event_with_an_offset_resumes_a_wait_that_began_before_it(
        journeys: Path, written: str) -> None:
    execution = run(journeys, [ACCOUNT, purchase(written)])
    assert "got_paid" in execution["states"] and "timed_out" not in execution["states"]
    assert execution["stop"] == "2026-11-02T13:30:00Z"


def test_event_times_are_utc_instants_from_the_boundary_on() -> None:
    event, _ = parse_event(purchase("2026-11-02T08:30:00-05:00"))
    assert event.model_dump(mode="json")["time"] == "2026-11-02T13:30:00Z"


@pytest.mark.parametrize("written", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00",
                                     "1969-12-31T23:59:59Z"])
def test_times_outside_what_can_be_stored_are_refused_naming_the_field(written: str) -> None:
    with pytest.raises(EventError, match=r"^time: "):
        parse_event(purchase(written))
