"""``wait_for``: the compiled Task parks its token with the customer (park Lambda); a matching
event resumes it through SendTaskSuccess (branch on_event), otherwise TimeoutSeconds ends it
(branch on_timeout) — on the virtual clock, through the real handlers, moto and the executor.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tact.journey.compiler import compile_journey
from tact.journey.project import load_project, require_valid
from tact.local.simulator import Simulation
from tests.conftest import JOURNEYS

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
      when: "order.value >= 20"
      on_event:
        - exit: {id: got_paid, reason: bought}
      on_timeout:
        - exit: {id: timed_out, reason: no purchase in a day}
"""


@pytest.fixture
def journeys(tmp_path: Path) -> Path:
    folder = tmp_path / "journeys"
    folder.mkdir()
    shutil.copy(JOURNEYS / "settings.yaml", folder / "settings.yaml")
    (folder / "first_order.yaml").write_text(JOURNEY, encoding="utf-8")
    return folder


def ev(event_id: str, kind: str, at: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "customer_id": "ana", "time": f"2026-11-02T{at}Z"
            if "T" not in at else at, "data": data}


ACCOUNT = ev("acc-1", "account_created", "09:00:00", {"email": "ana@example.com"})


def purchase(at: str, value: int = 50, event_id: str = "o-1") -> dict[str, Any]:
    return ev(event_id, "purchase_completed", at, {"order_id": "o1", "value": value})


def run(journeys: Path, events: list[dict[str, Any]], store: str = "moto") -> dict[str, Any]:
    report = Simulation(journeys, store=store,  # type: ignore[arg-type]
                        functions_dir=JOURNEYS.parent / "functions").run(events)
    [execution] = [e for e in report.executions if e["journey"] == "first_order"]
    return execution


def test_the_step_compiles_to_a_task_token_wait_with_a_timeout_branch(journeys: Path) -> None:
    journey = require_valid(load_project(journeys)).journeys["first_order"]
    state = compile_journey(journey)["States"]["paid"]
    assert state["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert state["Arguments"]["FunctionName"] == "${ParkFunctionArn}"
    assert state["Arguments"]["Payload"]["token"] == "{% $states.context.Task.Token %}"
    assert state["TimeoutSeconds"] == 86400
    assert state["Next"] == "got_paid"
    assert state["Catch"][0] == {"ErrorEquals": ["States.Timeout"], "Next": "timed_out"}


@pytest.mark.parametrize("store", ["moto", "memory"])
def test_event_in_time_takes_the_event_branch_at_the_event(journeys: Path, store: str) -> None:
    execution = run(journeys, [ACCOUNT, purchase("15:30:00")], store)
    assert "got_paid" in execution["states"] and "timed_out" not in execution["states"]
    assert execution["status"] == "SUCCEEDED"
    assert execution["stop"] == "2026-11-02T15:30:00Z"  # resumed by the event, not later


@pytest.mark.parametrize("store", ["moto", "memory"])
def test_no_event_takes_the_timeout_branch_after_24h(journeys: Path, store: str) -> None:
    execution = run(journeys, [ACCOUNT], store)
    assert "timed_out" in execution["states"] and "got_paid" not in execution["states"]
    assert execution["stop"] == "2026-11-03T09:00:00Z"


def test_events_that_do_not_match_or_come_late_leave_the_timeout_branch(journeys: Path) -> None:
    execution = run(journeys, [ACCOUNT, purchase("10:00:00", value=5, event_id="o-0"),
                               purchase("2026-11-03T09:30:00Z")])
    assert "timed_out" in execution["states"] and "got_paid" not in execution["states"]
    assert execution["stop"] == "2026-11-03T09:00:00Z"


def test_an_event_processed_before_the_token_was_parked_still_resumes(journeys: Path) -> None:
    # The same second as the account: park finds the purchase among the customer's recent
    # events (it began waiting at that second) and resumes at once.
    execution = run(journeys, [ACCOUNT, purchase("09:00:00")])
    assert "got_paid" in execution["states"]
    assert execution["stop"] == "2026-11-02T09:00:00Z"
