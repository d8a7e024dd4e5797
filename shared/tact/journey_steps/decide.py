"""Journey steps that need the customer's fresh data, for the ``decide`` Lambda.

A compiled journey calls this function for ``split`` (conditions on fresh profile data, first
match wins), ``ab_split`` and ``holdout`` (deterministic buckets), ``wait`` ``until`` (the next
local time of day, or a date from data, in the customer's time zone), ``update`` (set
profile attributes) and ``exit`` (the entry ends here: its reason goes in the log). One read
of the customer's partition per call; ``update`` adds one conditional write; ``ab_split``,
``holdout`` and ``exit`` write their decision without a read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from tact import clock
from tact.conditions import ExpressionFailed, ExpressionFailure, condition
from tact.conditions import value as expression_value
from tact.customer import CustomerState
from tact.expressions import context_for, freshness_of
from tact.journey.bundle import Bundle
from tact.journey.rules import TIME_OF_DAY
from tact.journey_steps.buckets import CONTROL, TREATMENT, bucket_position, in_holdout, pick
from tact.journey_steps.dates import date_from_data, next_time_of_day
from tact.models.step import StepRequest
from tact.store import items
from tact.store.base import ConditionFailed, CustomerStore, Put, StoreTransientError
from tact.store.items import holdout_log

Op = Literal["split", "bucket", "holdout", "wait_until", "update", "exit"]
MAX_RACES = 5


class DecideRequest(StepRequest):
    op: Op
    conditions: list[str | None] = Field(default_factory=list)  # split; None is `else`
    weights: list[float] = Field(default_factory=list)  # bucket
    variants: list[str] = Field(default_factory=list)  # bucket: the variants' names
    share: float = 0.0  # holdout
    until: str | None = None  # wait_until: "09:00" or an expression giving a date
    at: str | None = None
    set: dict[str, Any] = Field(default_factory=dict)  # update
    add_tags: list[str] = Field(default_factory=list)
    reason: str = ""  # exit


@dataclass
class DecideDeps:
    store: CustomerStore
    bundle: Bundle


def _context(state: CustomerState, trigger: dict[str, Any]) -> dict[str, Any]:
    return context_for(trigger, state.attributes(), freshness_of(state))


def decide(request: DecideRequest, deps: DecideDeps) -> dict[str, Any]:
    now = clock.now()
    if request.op == "bucket":
        position = bucket_position(request.journey, request.step, request.customer_id)
        branch = pick(request.weights, position)
        _log_assignment(request, deps, now, branch)
        return {"branch": branch}
    if request.op == "update":
        return _update(request, deps)
    if request.op == "holdout":
        return _holdout(request, deps, now)  # needs no read: membership is a pure function
    if request.op == "exit":
        return _exit(request, deps, now)
    state = CustomerState.from_items(request.customer_id,
                                     deps.store.read_customer(request.customer_id, now))
    if request.op == "split":
        context = _context(state, request.trigger)
        for index, text in enumerate(request.conditions):
            if text is None:
                return {"branch": index}
            met, failure = condition(text, context, journey=request.journey,
                                     where=f"split {request.step} if #{index + 1}",
                                     on_error=False, outcome="the entry ended")
            if failure is not None:
                _failed(request, deps, now, failure)
            if met:
                return {"branch": index}
        return {"branch": -1}
    zone = state.attribute("timezone") or deps.bundle.settings.default_timezone
    if request.until and TIME_OF_DAY.match(request.until):
        return {"until": clock.iso(next_time_of_day(now, request.until, zone))}
    found, failure = expression_value(request.until or "", _context(state, request.trigger),
                                      journey=request.journey,
                                      where=f"wait {request.step} until",
                                      outcome="the entry ended")
    if failure is not None:
        _failed(request, deps, now, failure)
    moment = date_from_data(found, request.at, zone)
    if moment is None or moment <= now:
        # No usable date (or one already past): go on now rather than wait forever.
        return {"until": clock.iso(now), "note": f"no future date from {request.until}"}
    return {"until": clock.iso(moment)}


def _failed(request: DecideRequest, deps: DecideDeps, now: datetime,
            failure: ExpressionFailure) -> None:
    """Neither a branch nor the next steps: no guess about the customer can be right, so the
    step fails (its Catch ends the execution; not retried) and the decision log says why."""
    deps.store.write(request.customer_id, [Put(items.timed_step_log(
        kind="expression_error", tail="expression", journey=request.journey,
        execution=request.execution, step=request.step, reason=failure.reason,
        at=clock.iso(now), now=now, ttl_seconds=deps.bundle.settings.message_log_ttl))])
    raise ExpressionFailed(failure.reason)


def _log_assignment(request: DecideRequest, deps: DecideDeps, now: datetime,
                    branch: int) -> None:
    """The variant a customer got, on record: A/B results compare customers by variant."""
    names = request.variants
    variant = names[branch] if branch < len(names) else f"variant {branch + 1}"
    deps.store.write(request.customer_id, [Put(items.step_log(
        kind="assigned", journey=request.journey, execution=request.execution,
        step=request.step, reason=f"variant {branch + 1} of {len(request.weights)}", now=now,
        ttl_seconds=deps.bundle.settings.message_log_ttl, version=request.version,
        variant=variant))])


def _exit(request: DecideRequest, deps: DecideDeps, now: datetime) -> dict[str, Any]:
    """An ``exit`` step: the entry ends here, and the log (and so the decision stream) says
    where and why. The entry item stays: a goal event within the attribution window still
    converts it."""
    deps.store.write(request.customer_id, [Put(items.step_log(
        kind="ended", journey=request.journey, execution=request.execution, step=request.step,
        reason=request.reason, now=now, ttl_seconds=deps.bundle.settings.message_log_ttl,
        version=request.version))])
    return {"ended": request.reason}


def _holdout(request: DecideRequest, deps: DecideDeps, now: datetime) -> dict[str, Any]:
    if not in_holdout(request.journey, request.customer_id, request.share):
        return {"branch": TREATMENT}
    # Control: nothing is sent, but the entry stays on record so conversions are counted.
    writes = [Put(holdout_log(key_at=clock.iso(now), journey=request.journey,
                              execution=request.execution, share=request.share, now=now,
                              ttl_seconds=deps.bundle.settings.message_log_ttl,
                              version=request.version))]
    # (The entry item is left alone: membership is recomputed from journey and customer.)
    deps.store.write(request.customer_id, writes)
    return {"branch": CONTROL}


def _update(request: DecideRequest, deps: DecideDeps) -> dict[str, Any]:
    for _ in range(MAX_RACES):
        now = clock.now()
        state = CustomerState.from_items(request.customer_id,
                                         deps.store.read_customer(request.customer_id, now))
        at = clock.iso(now)
        attrs = {k: dict(v) for k, v in state.profile.get("attrs", {}).items()}
        for name, value in request.set.items():
            if value is None:
                attrs.pop(name, None)
            else:
                attrs[name] = {"v": value, "at": at}
        if request.add_tags:
            tags = list(state.attribute("tags") or [])
            tags += [t for t in request.add_tags if t not in tags]
            attrs["tags"] = {"v": tags, "at": at}
        version = state.profile_version()
        item = items.profile(attrs, version + 1, kept=state.profile)
        try:
            deps.store.write(request.customer_id, [Put(item, expect=version)])
        except ConditionFailed:
            continue  # an event changed the profile meanwhile: apply on top of it
        return {"updated": sorted([*request.set, *(["tags"] if request.add_tags else [])])}
    raise StoreTransientError("too many concurrent profile updates; retry")
