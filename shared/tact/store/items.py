"""The shapes of a customer's log and suppression items: key (``sk``), kind, expiry (``ttl``),
built here once for every module that writes them (data access stays in the store).

The other item keys (profile, consent, caps, messages, entries, waits) are built by
``tact.customer``'s key functions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tact import clock
from tact.customer import suppression_key

LOG = "LOG#"
Item = dict[str, Any]


def expiry(now: datetime, seconds: int) -> int:
    """A DynamoDB TTL attribute: epoch seconds ``seconds`` after ``now``."""
    return int(now.timestamp()) + seconds


def log_key(at: str, source: str, tail: str | int) -> str:
    """Log items sort by time: ``LOG#<at>#<execution or event id>#<n or what>``."""
    return f"{LOG}{at}#{source}#{tail}"


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


def suppression(channel: str, source: str, entry: Item, history: list[Item],
                **extra: Any) -> Item:
    """An address that must not be messaged again on ``channel`` (no TTL: kept until the
    customer's address changes), with the newest ``entry`` first in its history."""
    return {"sk": suppression_key(channel), "kind": "suppression", "channel": channel,
            "source": source, **entry, **extra, "history": history}
