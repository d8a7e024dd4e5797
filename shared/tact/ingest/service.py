"""Process one shop event for one customer: update what we know, move their journeys."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from tact import clock
from tact.conditions import condition
from tact.customer import CustomerState
from tact.expressions import context_for, freshness_of
from tact.ingest.execution_input import InputTooLarge, entry_context, execution_input
from tact.ingest.orchestrator import Orchestrator
from tact.ingest.profile import consent_write, last_event_write, profile_write
from tact.ingest.waiting import forget_waits, resume_waits
from tact.journey.bundle import Bundle, JourneyRuntime
from tact.journey.durations import format_duration
from tact.journey_steps.buckets import in_holdout
from tact.models.events import ConsentChangedData, ShopEvent
from tact.sending.policy import exit_reason
from tact.store import items
from tact.store.base import ConditionFailed, CustomerStore, Delete, Put, StoreTransientError, Write
from tact.store.items import decision_log
from tact.store.keys import log_key

if TYPE_CHECKING:
    from tact.recommend.profile_scores import ModelSource

Context = Callable[[], dict[str, Any]]  # what conditions read of an event, built on first use
EVENT_MARKER_TTL = timedelta(days=35)  # longer than any queue retention and replay window
MAX_RACES = 5
QUEUE_RETENTION = timedelta(days=14)  # SQS's longest retention


@dataclass
class IngestDeps:
    store: CustomerStore
    bundle: Bundle
    orchestrator: Orchestrator
    model: ModelSource | None = None  # next best products and propensity, set on purchases


@dataclass
class Action:
    kind: Literal["started", "stopped", "skipped", "converted", "resumed", "expression_error"]
    journey: str
    execution: str = ""
    reason: str = ""
    # More of the decision for its log item (and so its analytics record): version and goals
    # of an entry; goal event, value and currency of a conversion.
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class IngestResult:
    event_id: str
    duplicate: bool = False
    actions: list[Action] = field(default_factory=list)
    dead_letters: list[str] = field(default_factory=list)  # reasons to park a copy of the event


def execution_name(journey: str, version: str, customer_id: str, event_id: str) -> str:
    """Deterministic, so a replayed event can only ever name the execution it started."""
    digest = hashlib.sha256(f"{journey}|{version}|{customer_id}|{event_id}".encode()).hexdigest()
    return f"{journey}-{digest[:32]}"


class _Effects:
    """Journey control calls, held back until the customer's items are written.

    Written first, started second: an execution's first step then always sees the customer
    as of this event. If the process dies in between, the redelivered event finds its marker
    and re-issues the starts of the entries it created (names are deterministic, so a start
    that did happen is not repeated). A lost stop is covered by the send path's exit guard.
    """

    def __init__(self, target: Orchestrator) -> None:
        self.target = target
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def execution_arn(self, journey: str, name: str) -> str:
        return self.target.execution_arn(journey, name)

    def start(self, journey: str, name: str, payload: dict[str, Any]) -> str:
        self.calls.append(("start", (journey, name, payload)))
        return self.target.execution_arn(journey, name)

    def stop(self, execution_arn: str, cause: str) -> None:
        self.calls.append(("stop", (execution_arn, cause)))

    def resume(self, token: str, output: dict[str, Any]) -> bool:
        self.calls.append(("resume", (token, output)))
        return True

    def run(self) -> None:
        for method, args in self.calls:
            getattr(self.target, method)(*args)


def ingest_event(event: ShopEvent, data: Any, deps: IngestDeps,
                 received: datetime | None = None) -> IngestResult:
    """``received``: when the event reached Tact (the queue's own clock), if known; a consent
    decision is placed against the customer's own decisions by it (``tact.consent``)."""
    for _ in range(MAX_RACES):
        now = clock.now()
        state = CustomerState.from_items(event.customer_id,
                                         deps.store.read_customer(event.customer_id, now))
        if event.id in state.seen_events:
            _restart_lost_starts(event, state, deps)
            return IngestResult(event.id, duplicate=True)
        effects = _Effects(deps.orchestrator)
        writes, result = _plan(event, data, state, replace(deps, orchestrator=effects), now,
                               _receipt(received, now))
        try:
            deps.store.write(event.customer_id, writes)
        except ConditionFailed:
            continue  # another event for this customer landed first: recompute on fresh data
        effects.run()
        return result
    raise StoreTransientError(f"event {event.id}: too many concurrent updates; retry")


def _receipt(received: datetime | None, now: datetime) -> datetime:
    # A queue time later than now, or older than any queue keeps a message, is another clock
    # (a simulation's virtual one against moto's wall clock): processing time stands in.
    if received is None or not now - QUEUE_RETENTION <= received <= now:
        return now
    return received


def _restart_lost_starts(event: ShopEvent, state: CustomerState, deps: IngestDeps) -> None:
    """A redelivery after a crash between write and start: start what this event entered."""
    envelope = event.envelope()
    for entry in state.entries.values():
        journey = deps.bundle.journeys.get(str(entry.get("journey")))
        if entry.get("trigger_id") != event.id or entry.get("converted_at") or journey is None:
            continue
        try:
            payload = execution_input(journey, str(entry["version"]), event.customer_id,
                                      str(entry["entered_at"]), envelope)
        except InputTooLarge:
            continue  # it did not fit when the entry was made either: that start never was
        deps.orchestrator.start(str(entry["journey"]), str(entry["name"]), payload)


def _plan(event: ShopEvent, data: Any, state: CustomerState, deps: IngestDeps,
          now: datetime, received: datetime) -> tuple[list[Write], IngestResult]:
    writes: list[Write] = [Put(items.event_marker(event.id, clock.iso(event.time), now,
                                                  EVENT_MARKER_TTL), expect="absent")]
    profile = _scored(state, event, profile_write(state, event, data), deps.model)
    if profile is not None:
        writes.append(profile)
        state.profile = profile.item  # journeys below see the customer as of this event
    if isinstance(data, ConsentChangedData):
        writes.append(consent_write(state, event, data, received))
    last = last_event_write(state, event)
    writes.append(last)
    state.last_events[event.type] = last.item
    result = IngestResult(event.id)
    envelope = event.envelope()
    # Built when a condition first reads it: most events (consents, contact updates) meet no
    # condition of any journey. The customer is as of this event either way (profile above).
    built: list[dict[str, Any]] = []

    def context() -> dict[str, Any]:  # a closure, not functools.cache: that costs more here
        if not built:
            built.append(context_for(envelope, state.attributes(), freshness_of(state), data))
        return built[0]

    # Waits first: an exit below that stops the same execution makes the resume a no-op.
    resumes, resumed = resume_waits(state, envelope, deps.orchestrator, now)
    writes += resumes
    result.actions += [Action("stopped", str(w["journey"]), str(w["execution"]), w["failed"])
                       if w.get("failed") else
                       Action("resumed", str(w["journey"]), str(w["execution"]),
                              f"{event.type} {event.id} for {w['step']}") for w in resumed]
    for journey in deps.bundle.journeys.values():
        # Goals before exits: an event that is both converts the entry (one write per item).
        writes += _convert(journey, event, state, context, deps, now, result)
        writes += _exit(journey, event, state, context, deps, now, result, writes)
        if journey.trigger.event == event.type:
            writes += _enter(journey, event, data, envelope, state, context, deps, now,
                             result)
    writes += [_decision_record(event, action, now, deps.bundle.settings.message_log_ttl, n)
               for n, action in enumerate(result.actions)]
    return writes, result


def _scored(state: CustomerState, event: ShopEvent, planned: Put | None,
            model: ModelSource | None) -> Put | None:
    """The model's attributes, recomputed on purchases and refunds (imported then: the other
    events' cold start never pays for it)."""
    if model is None or event.type not in ("purchase_completed", "order_refunded"):
        return planned
    from tact.recommend.profile_scores import rescored

    return rescored(state, event, planned, model)


def _decision_record(event: ShopEvent, action: Action, now: datetime, ttl: int, n: int) -> Put:
    """Journey decisions go in the customer's log beside messages: 'why not?' has an answer."""
    return Put(decision_log(key=log_key(clock.iso(now), event.id, n), kind=action.kind,
                            journey=action.journey, execution=action.execution,
                            reason=action.reason, now=now, ttl_seconds=ttl,
                            event_id=event.id,
                            **{k: v for k, v in action.details.items() if v is not None}))


def _exit(journey: JourneyRuntime, event: ShopEvent, state: CustomerState,
          context: Context, deps: IngestDeps, now: datetime,
          result: IngestResult, planned: list[Write]) -> list[Write]:
    rules = [r for r in journey.exit_on if r.event == event.type]
    if not rules:
        return []
    writes: list[Write] = []
    taken = {w.item["sk"] if isinstance(w, Put) else w.sk for w in planned}
    for entry in state.active_entries(journey.id, now):
        if entry["sk"] in taken:
            continue  # already ended by this event as a goal
        if clock.instant(entry.get("entered_at")) > event.time:
            continue  # the exit event is older than this entry
        exit_context = {**context(), "entry": entry_context(entry)}
        matched, failure = _exit_matches(journey, event.type, exit_context)
        if matched:
            deps.orchestrator.stop(str(entry["execution_arn"]), f"exit_on {event.type} {event.id}")
            writes.append(Delete(str(entry["sk"])))
            writes += _forget(state, entry, writes)
            result.actions.append(Action("stopped", journey.id, str(entry["name"]),
                                         f"{event.type} {event.id}"
                                         + (f" ({failure})" if failure else "")))
    return writes


def _exit_matches(journey: JourneyRuntime, event_type: str,
                  context: dict[str, Any]) -> tuple[bool, str]:
    """Does an exit rule match? One that cannot be evaluated exits: silence beats a tactless
    message. The second value is the failure's reason, when that is why."""
    failed = ""
    for index, rule in enumerate(journey.exit_on):
        if rule.event != event_type:
            continue
        matched, failure = condition(rule.when, context, journey=journey.id,
                                     where=f"exit_on #{index + 1} when", on_error=True,
                                     outcome="exited")
        if matched and failure is None:
            return True, ""
        failed = failed or (failure.reason if failure else "")
    return bool(failed), failed


def _convert(journey: JourneyRuntime, event: ShopEvent, state: CustomerState,
             context: Context, deps: IngestDeps, now: datetime,
             result: IngestResult) -> list[Write]:
    """A goal event converts the customer's entries of the attribution window (control group
    included): active ones end, ended ones are marked. Measured goals are only counted."""
    rules = [r for r in journey.goals if r.event == event.type]
    measured = [r for r in journey.measured_goals if r.event == event.type]
    if not rules and not measured:
        return []
    writes: list[Write] = []
    window = timedelta(seconds=deps.bundle.settings.attribution_window)
    happened = clock.iso(event.time)
    active = {e["sk"] for e in state.active_entries(journey.id, now)}
    for entry in state.entries.values():
        if entry.get("journey") != journey.id:
            continue
        entered = clock.instant(entry.get("entered_at"))
        is_active = entry["sk"] in active
        if entered > event.time:
            continue
        if not is_active and entered < event.time - window:
            continue  # ended, and longer ago than the attribution window
        goal_context = {**context(), "entry": entry_context(entry)}
        if measured:
            if _goal_met(journey, measured, goal_context, str(entry["name"]), result):
                result.actions.append(_conversion(journey, event, entry, "measured goal"))
            continue
        if entry.get("converted_at") or not _goal_met(journey, rules, goal_context,
                                                      str(entry["name"]), result):
            continue
        # Control-group membership is a pure function of (journey, customer): no read needed.
        control = journey.holdout > 0 and in_holdout(journey.id, event.customer_id,
                                                     journey.holdout)
        if is_active and not control:  # a control entry's execution ended after the check
            deps.orchestrator.stop(str(entry["execution_arn"]), f"goal {event.type} {event.id}")
        # Kept (no longer active) so conversions can be counted per group.
        writes.append(Put({**entry, "converted_at": happened,
                           "until": clock.iso(now) if is_active else entry.get("until")}))
        result.actions.append(_conversion(journey, event, entry, "goal",
                                          " (control group)" if control else ""))
    return writes


def _goal_met(journey: JourneyRuntime, rules: list[Any], context: dict[str, Any],
              execution: str, result: IngestResult) -> bool:
    for rule in rules:
        # Unlike exits, a conversion is only counted when it surely happened.
        met, failure = condition(rule.when, context, journey=journey.id,
                                 where=f"goal {rule.event} when", on_error=False,
                                 outcome="not counted as a conversion")
        if failure is not None:
            result.actions.append(Action("expression_error", journey.id, execution,
                                         failure.reason))
        if met:
            return True
    return False


def _conversion(journey: JourneyRuntime, event: ShopEvent, entry: dict[str, Any],
                what: str, note: str = "") -> Action:
    return Action("converted", journey.id, str(entry["name"]),
                  f"{what} {event.type} {event.id}{note}",
                  {"version": entry.get("version"), "goal": event.type, **_order_value(event)})


def _order_value(event: ShopEvent) -> dict[str, Any]:
    """What a goal event was worth, when it says (purchases do): revenue per journey."""
    data = event.data if isinstance(event.data, dict) else {}
    value = data.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return {}
    return {"value": value, "currency": data.get("currency")}


def _forget(state: CustomerState, entry: dict[str, Any], planned: list[Write]) -> list[Write]:
    """Parked waits of a stopped execution, unless already planned (one write per item)."""
    taken = {w.sk for w in planned if isinstance(w, Delete)}
    return [w for w in forget_waits(state, str(entry["name"])) if isinstance(w, Delete)
            and w.sk not in taken]


def _enter(journey: JourneyRuntime, event: ShopEvent, data: Any, envelope: dict[str, Any],
           state: CustomerState, context: Context, deps: IngestDeps, now: datetime,
           result: IngestResult) -> list[Write]:
    age = now - event.time
    if age > timedelta(seconds=journey.max_trigger_age):
        result.actions.append(Action("skipped", journey.id, reason=(
            f"stale: the trigger event is {format_duration(int(age.total_seconds()))} old; "
            f"max_trigger_age is {format_duration(journey.max_trigger_age)}")))
        return []
    when = journey.trigger.when
    entered, failure = condition(when, context() if when is not None else {},
                                 journey=journey.id,
                                 where="trigger.when", on_error=False, outcome="not entered")
    if failure is not None:
        result.actions.append(Action("skipped", journey.id, reason=failure.reason))
        return []
    if not entered:
        result.actions.append(Action("skipped", journey.id,
                                     reason=f"trigger condition not met: {journey.trigger.when}"))
        return []
    entered_at = clock.iso(event.time)
    # Out of order: an exit event at or after this trigger was processed first.
    exited = exit_reason(state, journey.exit_on, envelope, entered_at, journey.id)
    if exited:
        result.actions.append(Action("skipped", journey.id, reason=f"exited: {exited}"))
        return []
    writes: list[Write] = []
    active = state.active_entries(journey.id, now)
    if active and journey.reentry == "ignore":
        result.actions.append(Action("skipped", journey.id, reason="already in journey"))
        return []
    if journey.reentry == "allow" and journey.reentry_interval:
        since = event.time - timedelta(seconds=journey.reentry_interval)
        if any(e.get("journey") == journey.id and clock.instant(e.get("entered_at")) > since
               for e in state.entries.values()):
            result.actions.append(Action("skipped", journey.id,
                                         reason="entered less than reentry_interval ago"))
            return []
    if journey.reentry == "restart":
        for entry in active:
            deps.orchestrator.stop(str(entry["execution_arn"]), f"restarted by {event.id}")
            writes.append(Delete(str(entry["sk"])))
            writes += _forget(state, entry, writes)
            result.actions.append(Action("stopped", journey.id, str(entry["name"]),
                                         f"restarted by {event.id}"))
    name = execution_name(journey.id, journey.version, event.customer_id, event.id)
    try:
        payload = execution_input(journey, journey.version, event.customer_id, entered_at,
                                  envelope, data)
    except InputTooLarge as err:
        # Not started (an entry it restarts stays stopped: sending nothing is the safe side);
        # a copy of the event goes to the dead-letter queue with the reason, and everything
        # else the event brought (profile, other journeys) is kept.
        result.actions.append(Action("skipped", journey.id, reason=f"input too large: {err}"))
        result.dead_letters.append(str(err))
        return writes
    arn = deps.orchestrator.start(journey.id, name, payload)
    until = now + timedelta(seconds=journey.max_duration)
    writes.append(Put(items.journey_entry(
        journey.id, name, until=until,
        # Kept past its end while a re-entry interval or the attribution window needs it.
        kept_until=max(until, now + timedelta(seconds=journey.reentry_interval),
                       event.time + timedelta(seconds=deps.bundle.settings.attribution_window)),
        version=journey.version, name=name, execution_arn=arn, entered_at=entered_at,
        trigger_id=event.id,
        trigger=payload["trigger"])))  # what the execution carries: bounded, no addresses
    goals = ",".join(sorted({g.event for g in journey.measured_goals or journey.goals})) or None
    result.actions.append(Action("started", journey.id, name,
                                 details={"version": journey.version, "goal": goals}))
    return writes

