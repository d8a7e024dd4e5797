"""A broadcast's two Lambda jobs: read one scan segment's audience, and send one batch.

``read_audience`` scans one segment of the table (profiles only), keeps the customers in the
segment and groups them by wave, cut into batches sized so that ``throttle`` holds across all
segments at once. ``send_batch`` sends one batch through the journeys' own send path
(:func:`tact.sending.service.send_step`): consent, suppressions, frequency caps shared with
journeys, quiet hours, at most once. Each customer's message is keyed by the broadcast and the
customer (execution ``broadcast-<id>``, step ``send``), whichever batch or retry carries them,
so a retried batch finds the records of what it already sent and sends nothing twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tact import clock
from tact.broadcast.audience import in_control_group, member_wave
from tact.broadcast.model import SEND_STEP
from tact.broadcast.runtime import BroadcastRuntime
from tact.broadcast.segment import SegmentMatcher
from tact.customer import CustomerState
from tact.journey.bundle import Bundle
from tact.sending.channels import ProviderTransientError
from tact.sending.models import SendRequest
from tact.sending.service import SendDeps, send_step
from tact.store.base import CustomerStore, Put, ScanSegment, StoreTransientError
from tact.store.items import holdout_log

MAX_BATCH = 100  # customers per send invocation without a throttle (~100 sends per Lambda)
PACING_WINDOW = 10  # seconds: with a throttle, a batch is what one segment may send in this
MAX_SEGMENTS = 10_000  # Distributed Map runs at most this many child workflows at once


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AudienceRequest(_Model):
    broadcast: str
    segment: int = Field(ge=0)
    total_segments: int = Field(ge=1, le=MAX_SEGMENTS)


class Batch(_Model):
    at: str  # due then (UTC, ISO)
    customers: list[str] = Field(min_length=1, max_length=10 * MAX_BATCH)


class AudienceResult(_Model):
    batches: list[Batch]
    scanned: int
    members: int


class SendBatchRequest(_Model):
    broadcast: str
    at: str
    customers: list[str] = Field(min_length=1, max_length=10 * MAX_BATCH)
    total_segments: int = Field(default=1, ge=1, le=MAX_SEGMENTS)


class SendBatchResult(_Model):
    sent: int = 0
    not_sent: dict[str, int] = Field(default_factory=dict)  # reason -> customers
    holdout: int = 0
    left_segment: int = 0  # in the segment when the audience was read, not any more
    deferred: list[Batch] = Field(default_factory=list)  # quiet hours: due again then
    pause_ms: int = 0  # how long this segment waits before its next batch (throttle)


@dataclass
class AudienceDeps:
    store: CustomerStore
    bundle: Bundle


class UnknownBroadcast(LookupError):
    pass


def _runtime(bundle: Bundle, broadcast: str) -> BroadcastRuntime:
    found = bundle.broadcasts.get(broadcast)
    if found is None:
        raise UnknownBroadcast(f"broadcast {broadcast!r} is not in the deployed bundle")
    return found


def batch_size(throttle: float | None, total_segments: int) -> int:
    """Customers per batch: what one segment may send in a pacing window, or MAX_BATCH."""
    if throttle is None:
        return MAX_BATCH
    return max(1, min(MAX_BATCH, math.floor(throttle * PACING_WINDOW / total_segments)))


def pause_ms(throttle: float | None, total_segments: int, attempted: int) -> int:
    """After sending ``attempted`` messages, how long this segment waits, so that all segments
    together stay within ``throttle`` messages per second."""
    if throttle is None or attempted == 0:
        return 0
    return math.ceil(1000 * attempted * total_segments / throttle)


def read_audience(request: AudienceRequest, deps: AudienceDeps) -> AudienceResult:
    runtime = _runtime(deps.bundle, request.broadcast)
    broadcast, settings = runtime.definition(), deps.bundle.settings
    matcher = SegmentMatcher(runtime.condition)
    by_wave: dict[datetime, list[str]] = {}
    scanned = 0
    cursor: Any = None
    while True:
        page = deps.store.scan_profiles(ScanSegment(request.segment, request.total_segments),
                                        cursor)
        for item in page.items:
            scanned += 1
            state = CustomerState(str(item["customer_id"]), profile=item)
            wave = member_wave(broadcast, matcher, state, settings)
            if wave is not None:
                by_wave.setdefault(wave.at, []).append(state.customer_id)
        cursor = page.cursor
        if cursor is None:
            break
    size = batch_size(runtime.throttle, request.total_segments)
    batches = [Batch(at=clock.iso(at), customers=ids[i:i + size])
               for at, ids in sorted(by_wave.items()) for i in range(0, len(ids), size)]
    return AudienceResult(batches=batches, scanned=scanned,
                          members=sum(len(ids) for ids in by_wave.values()))


def send_batch(request: SendBatchRequest, deps: SendDeps) -> SendBatchResult:
    runtime = _runtime(deps.bundle, request.broadcast)
    matcher, broadcast = SegmentMatcher(runtime.condition), runtime.definition()
    sent, holdout, left, attempted = 0, 0, 0, 0
    not_sent: dict[str, int] = {}
    deferred: dict[str, list[str]] = {}
    transient: Exception | None = None
    for customer_id in dict.fromkeys(request.customers):  # a customer once, even if listed twice
        state = CustomerState.from_items(customer_id,
                                         deps.store.read_customer(customer_id, clock.now()))
        if not matcher.matches(state):
            left += 1  # e.g. bought since: a win-back message would be tactless now
            continue
        if in_control_group(broadcast, customer_id):
            _record_control(deps, runtime, customer_id, request.at)
            holdout += 1
            continue
        attempted += 1
        try:
            result = send_step(_send_request(runtime, customer_id, request.at), deps)
        except (ProviderTransientError, StoreTransientError) as err:
            transient = transient or err  # the others still go; then the batch is retried
            continue
        if result.status in ("sent", "unknown"):
            sent += 1
        elif result.status == "deferred" and result.resume_at:
            deferred.setdefault(result.resume_at, []).append(customer_id)
        else:
            reason = result.reason or result.status
            not_sent[reason] = not_sent.get(reason, 0) + 1
    if transient is not None:
        # Raised after every other customer was tried: the state machine retries the batch,
        # and what was already sent is found recorded, not sent again.
        raise transient
    return SendBatchResult(
        sent=sent, not_sent=not_sent, holdout=holdout, left_segment=left,
        deferred=[Batch(at=at, customers=ids) for at, ids in sorted(deferred.items())],
        pause_ms=pause_ms(runtime.throttle, request.total_segments, attempted))


def execution_of(broadcast: str) -> str:
    """The message key's execution part: one message per customer per broadcast id."""
    return f"broadcast-{broadcast}"


def _send_request(runtime: BroadcastRuntime, customer_id: str, at: str) -> SendRequest:
    return SendRequest(journey=runtime.id, step=SEND_STEP, execution=execution_of(runtime.id),
                       customer_id=customer_id, version=runtime.version, entered_at=at,
                       channel=runtime.send.channel, fallback=list(runtime.send.fallback),
                       template=runtime.send.template, purpose=runtime.purpose)


def _record_control(deps: SendDeps, runtime: BroadcastRuntime, customer_id: str,
                    at: str) -> None:
    """The control group is recorded like a journey's (a ``holdout`` decision in the log),
    under a fixed key, so a retried batch writes the same item again."""
    now = clock.now()
    deps.store.write(customer_id, [Put(holdout_log(
        key_at=at, journey=runtime.id, execution=execution_of(runtime.id),
        share=runtime.holdout, now=now, ttl_seconds=deps.bundle.settings.message_log_ttl))])
