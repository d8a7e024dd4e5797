"""A journey that waits for an event (``wait_for``), its events and a run of it: the world of
the wait_for tests (ingest, isolation, the differential test of the interpreters)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.paths import JOURNEYS, journeys_folder

TIMEOUT_EXIT = "[{exit: {id: timed_out, reason: no purchase in a day}}]"


def first_order(when: str | None = "order.value >= 20", on_timeout: str = TIMEOUT_EXIT) -> str:
    """An account opens the journey; a purchase within a day (``when`` it matches) ends it on
    the event branch, otherwise ``on_timeout`` runs."""
    condition = f'\n      when: "{when}"' if when else ""
    return f"""\
id: first_order
name: First order after an account
trigger: {{event: account_created}}
purpose: marketing
steps:
  - wait_for:
      id: paid
      event: purchase_completed
      timeout: 24h{condition}
      on_event: [{{exit: {{id: got_paid, reason: bought}}}}]
      on_timeout: {on_timeout}
"""


def project(folder: Path, journey: str | None = None) -> Path:
    """A journeys folder with the repository's settings and the ``first_order`` journey."""
    return journeys_folder(folder, {"first_order": journey or first_order()})


def event(event_id: str, kind: str, at: str, data: dict[str, Any]) -> dict[str, Any]:
    """Ana's event at ``at``: a time of day on 2026-11-02 (``09:00:00``) or a whole timestamp."""
    time = at if "T" in at else f"2026-11-02T{at}Z"
    return {"id": event_id, "type": kind, "customer_id": "ana", "time": time, "data": data}


ACCOUNT = event("acc-1", "account_created", "09:00:00", {"email": "ana@example.com"})


def purchase(at: str, value: int = 50, event_id: str = "o-1") -> dict[str, Any]:
    return event(event_id, "purchase_completed", at, {"order_id": "o1", "value": value})


def run(journeys: Path, events: list[dict[str, Any]], store: str = "moto") -> dict[str, Any]:
    """The ``first_order`` execution of a simulation of ``events``."""
    from tact.local.simulator import Simulation

    report = Simulation(journeys, store=store,  # type: ignore[arg-type]
                        functions_dir=JOURNEYS.parent / "functions").run(events)
    [execution] = [e for e in report.executions if e["journey"] == "first_order"]
    return execution
