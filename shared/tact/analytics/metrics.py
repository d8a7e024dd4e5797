"""Business metrics from decision records, as CloudWatch embedded metrics (Powertools).

Per journey: customers entered, messages sent (by step and channel), not sent (by step and
reason), unknown outcomes, conversions and revenue (by currency). One metric line per distinct
dimension set of a batch, with the batch's count as its value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from tact.analytics.records import DecisionRecord
from tact.observability import emit_count

Key = tuple[str, tuple[tuple[str, str], ...]]


def decision_metrics(records: Iterable[DecisionRecord]) -> Counter[Key]:
    """(metric name, dimensions) -> value, for a batch of records."""
    found: Counter[Key] = Counter()  # counts, and revenue (a float) under its own key
    for r in records:
        journey = ("journey", r.journey)
        if r.kind == "entered":
            found["Entered", (journey,)] += 1
        elif r.kind == "sent":
            found["MessagesSent", (journey, ("step", r.step or ""),
                                   ("channel", r.channel or ""))] += 1
        elif r.kind == "not_sent":
            found["MessagesNotSent", (journey, ("step", r.step or ""),
                                      ("reason", r.reason or ""))] += 1
        elif r.kind == "unknown":
            found["MessagesUnknown", (journey, ("step", r.step or ""))] += 1
        elif r.kind == "converted":
            found["Conversions", (journey,)] += 1
            if r.value is not None:
                found["Revenue", (journey, ("currency", r.currency or ""))] += r.value  # type: ignore[assignment]
    return found


def publish(records: Iterable[DecisionRecord]) -> None:
    for (name, dimensions), value in sorted(decision_metrics(records).items()):
        emit_count(name, value, dict(dimensions))
