"""``wait_for`` steps: park a task token with the customer; a matching event resumes it.

The journey's Task (``lambda:invoke.waitForTaskToken``) calls the park Lambda with its token.
``park`` stores it in the customer's partition as ``WAIT#<journey>#<execution>#<step>``
(with the awaited event type, condition and a TTL just past the timeout). Ingest, which
reads the partition anyway, finds waits for the event's type and calls SendTaskSuccess with
the event (``resume_waits``); Step Functions' TimeoutSeconds ends waits nobody resumed.

An event that arrived between the wait starting and the token being parked is already in
the customer's recent events (``LAST#<type>``), so ``park`` checks those first and resumes at
once. Park and ingest both write that item's version, so when they run at the same instant one
of them fails its conditional write, re-reads, and sees the other: no wake-up is lost.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tact import clock
from tact.conditions import ExpressionFailed, ExpressionFailure, condition
from tact.customer import CustomerState
from tact.expressions import context_for
from tact.models.step import StepRequest
from tact.store import items
from tact.store.base import ConditionFailed, Delete, Put, StoreTransientError, Write
from tact.store.keys import entry_key

TTL_SLACK = timedelta(hours=1)
MAX_RACES = 5


class ParkRequest(StepRequest):
    event: str
    when: str | None = None
    timeout: int
    token: str
    since: str  # when the wait began (the state's entered time)
    entered_at: str
    trigger: dict[str, Any]


def resumed_by(envelope: dict[str, Any]) -> dict[str, Any]:
    """The task's output: which event ended the wait. Only ids: it stays in the execution's
    history and becomes the next state's input (an event's data may be 256 KB, or an address).
    """
    return {key: envelope[key] for key in ("id", "type", "customer_id", "time") if key in envelope}


def _matches(wait: dict[str, Any], envelope: dict[str, Any],
             attributes: dict[str, Any]) -> tuple[bool, ExpressionFailure | None]:
    """Does the event satisfy the wait? A ``when`` that cannot be evaluated neither resumes
    (the event may not be the awaited one) nor lets the wait time out into ``on_timeout``
    (it may be): the entry ends, which sends nothing."""
    context = {**context_for(envelope, attributes),
               "entry": context_for(wait.get("trigger") or {}, attributes)}
    return condition(wait.get("when"), context, journey=str(wait.get("journey", "")),
                     where=f"wait_for {wait.get('step', '')} when", on_error=False,
                     outcome="the entry ended")


def park(request: ParkRequest, store: Any, orchestrator: Any) -> dict[str, Any]:
    for _ in range(MAX_RACES):
        try:
            return _park_once(request, store, orchestrator)
        except ConditionFailed:
            continue  # an event of the awaited type landed meanwhile: look again
    raise StoreTransientError(f"wait {request.step}: too many concurrent events; retry")


def _park_once(request: ParkRequest, store: Any, orchestrator: Any) -> dict[str, Any]:
    now = clock.now()
    state = CustomerState.from_items(request.customer_id,
                                     store.read_customer(request.customer_id, now))
    wait = request.model_dump()
    since = clock.iso(clock.parse_iso(request.since))
    for event in sorted(state.recent_events(request.event),
                        key=lambda e: clock.instant(e.get("time"))):
        envelope = {"id": event["id"], "type": request.event, "customer_id": request.customer_id,
                    "time": event["time"], "data": event.get("data", {})}
        if clock.instant(event["time"]) < clock.instant(since):
            continue
        matched, failure = _matches(wait, envelope, state.attributes())
        if failure is not None:
            raise ExpressionFailed(failure.reason)  # the step fails: this entry sends nothing
        if matched:
            orchestrator.resume(request.token, resumed_by(envelope))
            return {"status": "resumed", "event_id": event["id"]}
    until = clock.parse_iso(request.since) + timedelta(seconds=request.timeout) + TTL_SLACK
    # Bump the version of LAST#<event type> in the same write: if ingest stored an event of
    # that type since our read, this write fails and we look again (and ingest, if it read
    # before our write, fails its own and then finds the wait). No wake-up is ever lost.
    last = state.last_events.get(request.event)
    version = int((last or {}).get("version", 0))
    store.write(request.customer_id, [
        Put(items.wait(request.journey, request.execution, request.step, until=until,
                       event=request.event, when=request.when, token=request.token,
                       since=since, trigger=request.trigger)),
        Put(items.recent_events(request.event, list((last or {}).get("events", [])),
                                version + 1, kept=last), expect=version),
    ])
    return {"status": "parked"}


def resume_waits(state: CustomerState, envelope: dict[str, Any], orchestrator: Any,
                 now: datetime) -> tuple[list[Write], list[dict[str, Any]]]:
    """SendTaskSuccess for every parked wait this event satisfies; their items are removed.

    A wait whose ``when`` fails on this event ends its execution (and its entry) instead;
    such waits are returned with ``failed`` set to the reason."""
    writes: list[Write] = []
    resumed: list[dict[str, Any]] = []
    for sk, wait in sorted(state.waits.items()):
        if wait.get("event") != envelope["type"] or clock.instant(wait.get("until")) <= now:
            continue
        if clock.instant(envelope["time"]) < clock.instant(wait.get("since")):
            continue  # happened before the wait began: not what it waits for
        matched, failure = _matches(wait, envelope, state.attributes())
        if failure is not None:
            entry = state.entries.get(entry_key(str(wait["journey"]), str(wait["execution"])))
            arn = str((entry or {}).get("execution_arn") or orchestrator.execution_arn(
                str(wait["journey"]), str(wait["execution"])))
            orchestrator.stop(arn, failure.reason)
            writes.append(Delete(sk))
            if entry is not None:  # ended: the journeys below no longer see it
                writes.append(Delete(str(entry["sk"])))
                state.entries.pop(str(entry["sk"]), None)
            resumed.append({**wait, "failed": failure.reason})
            continue
        if not matched:
            continue
        # False: it already ended; fine
        orchestrator.resume(str(wait["token"]), resumed_by(envelope))
        writes.append(Delete(sk))
        resumed.append(wait)
    return writes, resumed


def forget_waits(state: CustomerState, execution: str) -> list[Write]:
    """A stopped execution's parked waits are void."""
    return [Delete(sk) for sk, w in state.waits.items() if w.get("execution") == execution]
