"""``wait_for``: the compiled Task parks its token with the customer (park Lambda); a matching
event resumes it through SendTaskSuccess (branch on_event), otherwise TimeoutSeconds ends it
(branch on_timeout) — on the virtual clock, through the real handlers, moto and the executor.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tact import clock
from tact.ingest.service import IngestDeps, ingest_event
from tact.ingest.waiting import ParkRequest, park
from tact.journey.bundle import Bundle
from tact.journey.compiler import compile_journey
from tact.journey.project import load_project, require_valid
from tact.journey.settings import Settings
from tact.models.events import parse_event
from tact.store.memory import MemoryStore
from tests.support.wait_for import ACCOUNT, first_order, project, purchase, run


@pytest.fixture
def journeys(tmp_path: Path) -> Path:
    return project(tmp_path / "journeys")


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


# ----------------------------------------------------------------- park and ingest racing

class _Resumes:
    def __init__(self) -> None:
        self.resumed: list[tuple[str, str]] = []

    def start(self, journey: str, name: str, payload: dict[str, Any]) -> str:
        raise AssertionError("no journeys here")

    def stop(self, execution_arn: str, cause: str) -> None:
        raise AssertionError("no journeys here")

    def resume(self, token: str, output: dict[str, Any]) -> bool:
        self.resumed.append((token, output["id"]))
        return True


class _Interleaved(MemoryStore):
    """Runs ``meanwhile`` once, right after the first read: the other side's whole turn."""

    def __init__(self, meanwhile: Any = None) -> None:
        super().__init__()
        self.meanwhile = meanwhile

    def read_customer(self, customer_id: str, now: datetime) -> list[dict[str, Any]]:
        items = super().read_customer(customer_id, now)
        if self.meanwhile is not None:
            go, self.meanwhile = self.meanwhile, None
            go()
        return items


PARK = ParkRequest(journey="first_order", step="paid", event="purchase_completed", timeout=86400,
                   token="tok-1", since="2026-11-02T09:00:00Z", execution="x1",
                   customer_id="ana", entered_at="2026-11-02T09:00:00Z",
                   trigger=ACCOUNT)


def _ingest(store: MemoryStore, orchestrator: _Resumes) -> None:
    event, data = parse_event(purchase("09:00:30"))
    ingest_event(event, data, IngestDeps(store, Bundle(settings=Settings(), journeys={},
                                                       templates={}), orchestrator))


@pytest.mark.parametrize("first", ["park reads first", "ingest reads first"])
def test_park_and_a_simultaneous_event_never_miss_each_other(first: str) -> None:
    orchestrator = _Resumes()
    store = _Interleaved()
    clock.use(lambda: datetime(2026, 11, 2, 9, 1, tzinfo=UTC))
    try:
        if first == "park reads first":
            # park reads (no purchase yet); the purchase is ingested entirely; park writes.
            store.meanwhile = lambda: _ingest(store, orchestrator)
            park(PARK, store, orchestrator)
        else:
            # ingest reads (no wait yet); park parks entirely; ingest writes.
            store.meanwhile = lambda: park(PARK, store, orchestrator)
            _ingest(store, orchestrator)
        items = store.read_customer("ana", clock.now())
    finally:
        clock.use(None)
    assert orchestrator.resumed == [("tok-1", "o-1")]  # resumed exactly once, by either side
    assert not [i for i in items if i["sk"].startswith("WAIT#")]


@pytest.mark.parametrize("change,where", [
    (("event: purchase_completed", "event: purchase_complete"),
     (8, 7, "unknown event type 'purchase_complete'")),
    (("timeout: 24h", "timeout: 10s"),
     (9, 7, "a wait_for timeout must be at least one minute, got 10s")),
])
def test_a_bad_wait_for_is_named_by_file_line_and_column(
        journeys: Path, change: tuple[str, str], where: tuple[int, int, str]) -> None:
    path = journeys / "first_order.yaml"
    path.write_text(first_order().replace(*change), encoding="utf-8")
    errors = [(Path(e.file).name, e.line, e.col, e.message) for e in load_project(journeys).errors]
    assert errors == [("first_order.yaml", *where)]
