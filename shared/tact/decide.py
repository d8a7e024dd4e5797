"""Journey steps that need the customer's fresh data, for the ``decide`` Lambda.

A compiled journey calls this function for ``split`` (conditions on fresh profile data, first
match wins), ``ab_split`` and ``holdout`` (deterministic buckets), ``wait`` ``until`` (the next
local time of day, or a date from data, in the customer's time zone) and ``update`` (set
profile attributes). One read of the customer's partition per call; ``update`` adds one
conditional write.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from tact import clock
from tact.customer import PROFILE, CustomerState
from tact.expressions import ExpressionError, context_for, evaluate, freshness_of, is_true
from tact.journey.bundle import Bundle
from tact.journey.model import TIME_OF_DAY
from tact.models.step import StepRequest
from tact.store.base import ConditionFailed, CustomerStore, Put, StoreTransientError

Op = Literal["split", "bucket", "holdout", "wait_until", "update"]
MAX_RACES = 5
CONTROL, TREATMENT = 0, 1


class DecideRequest(StepRequest):
    op: Op
    conditions: list[str | None] = Field(default_factory=list)  # split; None is `else`
    weights: list[float] = Field(default_factory=list)  # bucket
    share: float = 0.0  # holdout
    until: str | None = None  # wait_until: "09:00" or an expression giving a date
    at: str | None = None
    set: dict[str, Any] = Field(default_factory=dict)  # update
    add_tags: list[str] = Field(default_factory=list)


@dataclass
class DecideDeps:
    store: CustomerStore
    bundle: Bundle


def bucket_position(journey: str, salt: str, customer_id: str) -> float:
    """A customer's fixed place in [0, 1) for one journey and one split: reproducible anywhere."""
    digest = hashlib.sha256(f"{journey}|{salt}|{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def pick(weights: list[float], position: float) -> int:
    total = sum(weights)
    edge = 0.0
    for index, weight in enumerate(weights):
        edge += weight / total
        if position < edge:
            return index
    return len(weights) - 1


def in_holdout(journey: str, customer_id: str, share: float) -> bool:
    return bucket_position(journey, "holdout", customer_id) < share


def next_time_of_day(now: datetime, hhmm: str, zone: str) -> datetime:
    """The next moment (strictly after ``now``) the customer's clock shows ``hhmm``."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    wanted = time.fromisoformat(hhmm)
    day = local.date()
    # Built per date in the zone, so a DST change in between is accounted for.
    candidate = datetime.combine(day, wanted, tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(day + timedelta(days=1), wanted, tzinfo=tz)
    return candidate.astimezone(now.tzinfo)


def date_from_data(value: Any, at: str | None, zone: str) -> datetime | None:
    """A date or date-time written in data; a bare date means ``at`` (or midnight) local."""
    if not isinstance(value, str) or not value:
        return None
    tz = ZoneInfo(zone)
    try:
        if "T" in value or " " in value.strip():
            moment = clock.parse_iso(value.strip())
            if at is None:
                return moment
            day = moment.astimezone(tz).date()
        else:
            day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    wanted = time.fromisoformat(at) if at else time(0, 0)
    return datetime.combine(day, wanted, tzinfo=tz)


def _context(state: CustomerState, trigger: dict[str, Any]) -> dict[str, Any]:
    return context_for(trigger, state.attributes(), freshness_of(state))


def decide(request: DecideRequest, deps: DecideDeps) -> dict[str, Any]:
    if request.op == "bucket":
        position = bucket_position(request.journey, request.step, request.customer_id)
        return {"branch": pick(request.weights, position)}
    now = clock.now()
    if request.op == "update":
        return _update(request, deps)
    if request.op == "holdout":
        return _holdout(request, deps, now)  # needs no read: membership is a pure function
    state = CustomerState.from_items(request.customer_id,
                                     deps.store.read_customer(request.customer_id, now))
    if request.op == "split":
        context = _context(state, request.trigger)
        for index, condition in enumerate(request.conditions):
            try:
                if condition is None or is_true(condition, context):
                    return {"branch": index}
            except ExpressionError:
                continue  # a condition that cannot be evaluated on this customer is not met
        return {"branch": -1}
    zone = state.attribute("timezone") or deps.bundle.settings.default_timezone
    if request.until and TIME_OF_DAY.match(request.until):
        return {"until": clock.iso(next_time_of_day(now, request.until, zone))}
    try:
        value = evaluate(request.until or "", _context(state, request.trigger))
    except ExpressionError:
        value = None
    moment = date_from_data(value, request.at, zone)
    if moment is None or moment <= now:
        # No usable date (or one already past): go on now rather than wait forever.
        return {"until": clock.iso(now), "note": f"no future date from {request.until}"}
    return {"until": clock.iso(moment)}


def _holdout(request: DecideRequest, deps: DecideDeps, now: datetime) -> dict[str, Any]:
    if not in_holdout(request.journey, request.customer_id, request.share):
        return {"branch": TREATMENT}
    # Control: nothing is sent, but the entry stays on record so conversions are counted.
    ttl = int(now.timestamp()) + deps.bundle.settings.message_log_ttl
    writes = [Put({"sk": f"LOG#{clock.iso(now)}#{request.execution}#holdout", "kind": "holdout",
                   "journey": request.journey, "execution": request.execution,
                   "reason": f"control group ({request.share:.0%} holdout)",
                   "at": clock.iso(now), "ttl": ttl})]
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
        item = {**state.profile, "sk": PROFILE, "attrs": attrs, "version": version + 1}
        try:
            deps.store.write(request.customer_id, [Put(item, expect=version)])
        except ConditionFailed:
            continue  # an event changed the profile meanwhile: apply on top of it
        return {"updated": sorted([*request.set, *(["tags"] if request.add_tags else [])])}
    raise StoreTransientError("too many concurrent profile updates; retry")
