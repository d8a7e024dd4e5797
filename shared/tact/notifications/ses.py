"""SES bounce and complaint notifications (through SNS) → ``SUPPRESSION#email``.

SES publishes events of a configuration set (``eventType``) or of an identity
(``notificationType``); both carry the ``mail`` object. The customer is named by the
``customer`` message tag the email channel sets on every message (event publishing keeps
tags), so no address lookup is needed. A permanent bounce or any complaint suppresses the
address for every purpose; transient bounces change nothing. A complaint is also the
customer's own decision: it withdraws email marketing consent (source ``ses_complaint``, at
its receipt time), placed like an unsubscribe by ``tact.consent``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from tact import clock
from tact.consent import consent_write, customer_decision
from tact.customer import CustomerState
from tact.sending.channels import untag_value
from tact.store.base import ConditionFailed, CustomerStore, Put, StoreTransientError, Write
from tact.store.items import address_fingerprint, suppression

HISTORY_KEPT = 20
MAX_RACES = 5


class NotificationError(ValueError):
    """Not an SES notification we can read; ``reason`` is safe to log (no addresses)."""


@dataclass
class Feedback:
    kind: Literal["bounce", "complaint", "ignored"]
    customer_id: str | None
    addresses: list[str]
    message_id: str
    at: str
    detail: str = ""
    journey: str = ""
    step: str = ""


@dataclass
class Outcome:
    action: Literal["suppressed", "ignored", "unmatched"]
    customer_id: str | None = None
    reason: str = ""


def parse(message: str) -> Feedback:
    try:
        body = json.loads(message)
    except (json.JSONDecodeError, TypeError) as err:
        raise NotificationError(f"not JSON: {err}") from None
    if not isinstance(body, dict) or not isinstance(body.get("mail"), dict):
        raise NotificationError("no 'mail' object: not an SES notification")
    kind = str(body.get("eventType") or body.get("notificationType") or "")
    mail = body["mail"]
    tags = mail.get("tags") or {}
    customer = _first(tags.get("customer"))
    feedback = Feedback("ignored", untag_value(customer) if customer else None, [],
                        str(mail.get("messageId", "")), str(mail.get("timestamp", "")),
                        journey=untag_value(_first(tags.get("journey")) or ""),
                        step=untag_value(_first(tags.get("step")) or ""))
    if kind == "Bounce":
        bounce = body.get("bounce") or {}
        feedback.at = str(bounce.get("timestamp") or feedback.at)
        feedback.detail = f"{bounce.get('bounceType')}/{bounce.get('bounceSubType')}"
        if bounce.get("bounceType") == "Permanent":
            feedback.kind = "bounce"
            feedback.addresses = [str(r.get("emailAddress", ""))
                                  for r in bounce.get("bouncedRecipients") or []]
    elif kind == "Complaint":
        complaint = body.get("complaint") or {}
        feedback.kind = "complaint"
        feedback.at = str(complaint.get("timestamp") or feedback.at)
        feedback.detail = str(complaint.get("complaintFeedbackType") or "complaint")
        feedback.addresses = [str(r.get("emailAddress", ""))
                              for r in complaint.get("complainedRecipients") or []]
    if not feedback.addresses:
        feedback.addresses = [str(a) for a in mail.get("destination") or []]
    return feedback


def _first(values: Any) -> str | None:
    if isinstance(values, list) and values:
        return str(values[0])
    return str(values) if isinstance(values, str) else None


def apply(feedback: Feedback, store: CustomerStore) -> Outcome:
    if feedback.kind == "ignored":
        return Outcome("ignored", feedback.customer_id, feedback.detail)
    if not feedback.customer_id:
        # Sent without our tags (not by Tact, or tags not published): nothing to match on.
        return Outcome("unmatched", None, feedback.kind)
    now = clock.now()
    for _ in range(MAX_RACES):
        state = CustomerState.from_items(feedback.customer_id,
                                         store.read_customer(feedback.customer_id, now))
        try:
            store.write(feedback.customer_id, _writes(feedback, state, now))
        except ConditionFailed:
            continue  # a consent decision landed since the read: place the complaint again
        return Outcome("suppressed", feedback.customer_id, feedback.kind)
    raise StoreTransientError("too many concurrent consent changes; retry")


def _writes(feedback: Feedback, state: CustomerState, now: Any) -> list[Write]:
    current = state.suppressions.get("email") or {}
    address = _address(feedback, state)
    entry = {"reason": feedback.kind, "detail": feedback.detail,
             "at": feedback.at or clock.iso(now), "message_id": feedback.message_id,
             "journey": feedback.journey, "step": feedback.step}
    item = suppression("email", "ses", entry,
                       [entry, *list(current.get("history") or [])][:HISTORY_KEPT],
                       recorded_at=clock.iso(now))
    if address:
        item["address_hash"] = address_fingerprint(address)
    # No TTL: a suppressed address is never emailed again (a new address clears it).
    writes: list[Write] = [Put(item)]
    if feedback.kind == "complaint":
        writes.append(consent_write(state, customer_decision(
            "email", "marketing", False, "ses_complaint", now,
            f"ses-{feedback.message_id or clock.iso(now)}")))
    return writes


def _address(feedback: Feedback, state: CustomerState) -> str | None:
    """The suppressed address; the one on file when SES names it, else the first named."""
    on_file = state.attribute("email")
    named = [a for a in feedback.addresses if a]
    if on_file and any(address_fingerprint(a) == address_fingerprint(str(on_file))
                       for a in named):
        return str(on_file)
    return named[0] if named else None


def handle_sns_records(records: list[dict[str, Any]], store: CustomerStore,
                       dead_letter: Any) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for record in records:
        message = (record.get("Sns") or {}).get("Message", "")
        try:
            feedback = parse(message)
        except NotificationError as err:
            dead_letter(message, f"ses notification: {err}")
            continue
        outcomes.append(apply(feedback, store))
    return outcomes
