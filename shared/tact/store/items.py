"""Every item shape of the single table: its sort key, kind, fields, version and expiry
(``ttl``), built here once for every module that writes them (data access stays in the store;
the keys are tact.store.keys').

Items that change under concurrent writers (profile, consent, caps, recent events) carry a
``version``: each write is conditional on the version read and stores the next one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from tact import clock
from tact.store.keys import (
    PROFILE,
    cap_key,
    consent_key,
    entry_key,
    event_key,
    last_key,
    log_key,
    msg_key,
    step_log_key,
    suppression_key,
    wait_key,
)

Item = dict[str, Any]


def expiry(now: datetime, seconds: int) -> int:
    """A DynamoDB TTL attribute: epoch seconds ``seconds`` after ``now``."""
    return int(now.timestamp()) + seconds


def expires_at(moment: datetime) -> int:
    """A DynamoDB TTL attribute: ``moment`` in epoch seconds."""
    return int(moment.timestamp())


def address_fingerprint(address: str) -> str:
    """A suppression names the address it is for without storing it twice in clear."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()[:32]


# ---------------------------------------------------------------- versioned items


def next_version(item: Item, **changes: Any) -> Item:
    """``item`` with ``changes``, one version on (written conditional on the version it had)."""
    return {**item, **changes, "version": int(item.get("version", 0)) + 1}


def profile(attrs: dict[str, Any], version: int, *, kept: Item | None = None,
            scores: dict[str, Any] | None = None, index: Mapping[str, str] | None = None) -> Item:
    """The customer's profile: attributes ``{name: {v, at[, by]}}``; ``kept``: the item's
    other fields as they were; ``scores``: category scores; ``index``: the lifecycle index
    keys (tact.store.keys.index_keys)."""
    return {**(kept or {}), **({"category_scores": scores} if scores else {}), **(index or {}),
            "sk": PROFILE, "attrs": attrs, "version": version}


def recent_events(event_type: str, events: list[Item], version: int,
                  kept: Item | None = None) -> Item:
    """The customer's latest events of one type (``LAST#<type>``); ``kept``: the item's other
    fields as they were."""
    return {**(kept or {}), "sk": last_key(event_type), "events": events, "version": version}


def cap_counter(purpose: str, scope: str, sends: list[int], version: int) -> Item:
    """Epoch seconds of the sends a frequency cap counts."""
    return {"sk": cap_key(purpose, scope), "sends": sends, "version": version}


def consent(channel: str, purpose: str, *, granted: bool, at: str, received_at: str,
            source: str, by: str, event_id: str | None) -> Item:
    """A consent decision as applied (history, customer's word and version are added by
    tact.consent)."""
    return {"sk": consent_key(channel, purpose), "granted": granted, "at": at,
            "received_at": received_at, "source": source, "by": by, "event_id": event_id}


# ---------------------------------------------------------------- markers, entries, waits


def event_marker(event_id: str, time: str, now: datetime, kept: timedelta) -> Item:
    """An event seen (idempotency: its write fails if the event was processed)."""
    return {"sk": event_key(event_id), "time": time, "ttl": expires_at(now + kept)}


def journey_entry(journey: str, execution: str, *, until: datetime, kept_until: datetime,
                  **fields: Any) -> Item:
    """An entry into a journey (``fields``: version, name, execution ARN, trigger...), kept
    until ``kept_until`` (past its end while re-entry or attribution needs it)."""
    return {"sk": entry_key(journey, execution), "journey": journey, **fields,
            "until": clock.iso(until), "ttl": expires_at(kept_until)}


def wait(journey: str, execution: str, step: str, *, until: datetime, **fields: Any) -> Item:
    """A parked ``wait_for`` step (``fields``: event, condition, task token, trigger...)."""
    return {"sk": wait_key(journey, execution, step), "journey": journey,
            "execution": execution, "step": step, **fields, "until": clock.iso(until),
            "ttl": expires_at(until)}


# ---------------------------------------------------------------- messages and the log


def message(*, execution: str, step: str, now: datetime, ttl_seconds: int,
            **fields: Any) -> Item:
    """A message record (``MSG#``): one per (execution, step), at most once."""
    return {"sk": msg_key(execution, step), "kind": "message", **fields, "step": step,
            "execution": execution, "at": clock.iso(now), "ttl": expiry(now, ttl_seconds)}


def decision_log(*, key: str, kind: str, journey: str, execution: str | None, reason: str,
                 now: datetime, ttl_seconds: int, **extra: Any) -> Item:
    """A decision in the customer's log beside messages (entered, skipped, exited, holdout...),
    so that 'why not?' has an answer."""
    return {"sk": key, "kind": kind, "journey": journey, "execution": execution,
            "reason": reason, **extra, "at": clock.iso(now),
            "ttl": expiry(now, ttl_seconds)}


def holdout_log(*, key_at: str, journey: str, execution: str, share: float, now: datetime,
                ttl_seconds: int, **extra: Any) -> Item:
    """A control-group member: nothing is sent, the entry stays on record for conversions."""
    return decision_log(key=log_key(key_at, execution, "holdout"), kind="holdout",
                        journey=journey, execution=execution,
                        reason=f"control group ({share:.0%} holdout)", now=now,
                        ttl_seconds=ttl_seconds, **extra)


def step_log(*, kind: str, journey: str, execution: str, step: str, reason: str,
             now: datetime, ttl_seconds: int, **extra: Any) -> Item:
    """A step's decision, keyed by execution and step: a retried invocation writes the same
    item again."""
    return decision_log(key=step_log_key(execution, step, kind), kind=kind, journey=journey,
                        execution=execution, reason=reason, now=now, ttl_seconds=ttl_seconds,
                        step=step, **extra)


def timed_step_log(*, kind: str, tail: str, journey: str, execution: str, step: str,
                   reason: str, at: str, now: datetime, ttl_seconds: int, **extra: Any) -> Item:
    """A step's decision at a time (``LOG#<now>#<execution>#<step>#<tail>``), e.g. a send
    deferred by quiet hours or an expression that failed."""
    return {"sk": log_key(clock.iso(now), execution, f"{step}#{tail}"), "kind": kind,
            "journey": journey, **extra, "execution": execution, "reason": reason, "at": at,
            "ttl": expiry(now, ttl_seconds)}


def suppression(channel: str, source: str, entry: Item, history: list[Item],
                **extra: Any) -> Item:
    """An address that must not be messaged again on ``channel`` (no TTL: kept until the
    customer's address changes), with the newest ``entry`` first in its history."""
    return {"sk": suppression_key(channel), "kind": "suppression", "channel": channel,
            "source": source, **entry, **extra, "history": history}
