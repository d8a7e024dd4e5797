"""Consent decisions and the rule that orders them: a customer's withdrawal is never lost.

Two kinds of decision reach a ``CONSENT#<channel>#<purpose>`` item:

* the customer's own (preferences page, one-click unsubscribe, SES complaint), stamped with
  the server's receipt time: that is the only time we can trust for them;
* the shop's (``consent_changed`` events), with the shop's event time (its clock, which may
  be off by up to the hour ingest accepts) and the receipt time: when the queue took the
  event (SQS ``SentTimestamp``, the same on every redelivery), else when ingest processed it.

The ordering rule:

* a customer decision is superseded only by a later customer decision, or by a shop event
  *received* later whose own time is not before the customer decision (a shop event that says
  it was decided earlier but arrived later cannot be placed: withdrawal wins);
* shop events among themselves are ordered by their event time;
* a customer decision supersedes a shop decision received earlier;
* within one second, or whenever the order is unknowable, the withdrawal wins.

Every decision, applied or superseded, goes into the item's history (newest first, with its
source, event time, receipt time and whether it was applied). Writes are conditional on the
item's ``version``: a write computed from a stale read fails and is recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from tact import clock
from tact.customer import CustomerState
from tact.store import items
from tact.store.base import Put

HISTORY_KEPT = 100  # newest decisions per channel and purpose (the item is read by every send)
TIE = timedelta(seconds=1)
CUSTOMER_SOURCES = frozenset({"preferences_page", "one_click_unsubscribe", "ses_complaint"})

DecidedBy = Literal["customer", "shop"]


@dataclass(frozen=True)
class Decision:
    channel: str
    purpose: str
    granted: bool
    source: str
    by: DecidedBy
    at: str  # the decision's own time: receipt time for a customer, event time for the shop
    received_at: str  # when Tact received it (server clock)
    event_id: str

    def entry(self, applied: bool) -> dict[str, Any]:
        return {"granted": self.granted, "source": self.source, "by": self.by, "at": self.at,
                "received_at": self.received_at, "event_id": self.event_id,
                "applied": applied}


def customer_decision(channel: str, purpose: str, granted: bool, source: str,
                      received: datetime, event_id: str) -> Decision:
    at = clock.iso(received)
    return Decision(channel, purpose, granted, source, "customer", at, at, event_id)


def shop_decision(channel: str, purpose: str, granted: bool, source: str, event_time: datetime,
                  received: datetime, event_id: str) -> Decision:
    return Decision(channel, purpose, granted, source, "shop", clock.iso(event_time),
                    clock.iso(received), event_id)


def _seconds(later: str, earlier: str) -> float:
    return (clock.parse_iso(later) - clock.parse_iso(earlier)).total_seconds()


def _later(new: Decision, new_time: str, old_granted: bool, old_time: str) -> bool:
    """Is ``new`` after the old decision? Within a second the withdrawal wins."""
    delta = _seconds(new_time, old_time)
    if abs(delta) < TIE.total_seconds():
        return not new.granted or old_granted
    return delta > 0


def _beats_customer(new: Decision, last: dict[str, Any]) -> bool:
    """May ``new`` replace the customer's own last decision ``last``?"""
    customer_at = str(last["at"])
    granted = bool(last["granted"])
    if new.by == "customer":
        return _after(new, granted, customer_at)
    delta = _seconds(new.received_at, customer_at)
    if abs(delta) < TIE.total_seconds():
        return not new.granted or granted  # a tie: the withdrawal wins
    if delta < 0:
        return False  # queued before the customer decided, processed after: it came first
    if new.granted and not granted:
        # A shop grant received after the withdrawal but stamped before it cannot be placed
        # after it: the shop's clock and its queue both say "maybe earlier". Withdrawal wins.
        return _seconds(new.at, customer_at) >= TIE.total_seconds()
    return True


def _after(new: Decision, old_granted: bool, old_received: str) -> bool:
    """By receipt time. What is stored was received before ``new`` was read and written (the
    write is conditional on that read), so only a tie within a second can keep ``new`` out:
    then the withdrawal wins."""
    if abs(_seconds(new.received_at, old_received)) < TIE.total_seconds():
        return not new.granted or old_granted
    return True


def supersedes(new: Decision, current: dict[str, Any] | None) -> bool:
    """Does ``new`` become the effective decision over the stored item ``current``?"""
    if current is None or "granted" not in current:
        return True
    last_customer = current.get("customer")
    if last_customer and not _beats_customer(new, last_customer):
        return False
    granted = bool(current["granted"])
    if current.get("by") == "customer":
        return True  # the current decision is that last customer decision, beaten above
    if new.by == "shop":
        return _later(new, new.at, granted, str(current.get("at", "")))
    return _after(new, granted, str(current.get("received_at") or current.get("at", "")))


def consent_write(state: CustomerState, decision: Decision) -> Put:
    """The item after ``decision``: applied or superseded, it joins the history.

    Conditional on the version read, so a concurrent decision is never overwritten unseen.
    """
    current = state.consents.get((decision.channel, decision.purpose))
    applied = supersedes(decision, current)
    version = int((current or {}).get("version", 0))
    history = [decision.entry(applied), *list((current or {}).get("history") or [])]
    if applied:
        item: dict[str, Any] = items.consent(
            decision.channel, decision.purpose, granted=decision.granted, at=decision.at,
            received_at=decision.received_at, source=decision.source, by=decision.by,
            event_id=decision.event_id)
        previous_customer = (current or {}).get("customer")
        if decision.by == "customer":
            item["customer"] = {"granted": decision.granted, "at": decision.received_at}
        elif previous_customer:
            item["customer"] = previous_customer
    else:
        item = dict(current or {})
        if decision.by == "customer":
            # A customer decision that lost a tie is still the customer's latest word.
            item["customer"] = _newest_customer(item.get("customer"), decision)
    item["history"] = history[:HISTORY_KEPT]
    item["version"] = version + 1
    return Put(item, expect=version)


def _newest_customer(last: dict[str, Any] | None, decision: Decision) -> dict[str, Any]:
    if last is None or _seconds(decision.received_at, str(last["at"])) >= TIE.total_seconds():
        return {"granted": decision.granted, "at": decision.received_at}
    # Within a second of the last one: keep a withdrawal if either was one.
    return {"granted": bool(last["granted"]) and decision.granted,
            "at": max(str(last["at"]), decision.received_at)}
