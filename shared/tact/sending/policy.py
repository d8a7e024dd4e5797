"""Pure decisions of the send path: exit guard, channel choice, caps. No I/O here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tact import clock
from tact.conditions import condition
from tact.customer import CustomerState
from tact.expressions import context_for
from tact.journey.rules import ExitRule
from tact.journey.settings import Cap, Settings
from tact.store import items
from tact.store.base import Put

# Where each channel's address lives in the profile. The webhook goes to one configured
# endpoint for everyone, so the customer id is its address.
ADDRESS_ATTRIBUTE = {"email": "email", "sms": "phone", "push": "push_endpoint"}


def channel_address(state: CustomerState, channel: str) -> str | None:
    if channel == "webhook":
        return state.customer_id
    value = state.attribute(ADDRESS_ATTRIBUTE.get(channel, ""))
    return str(value) if value else None


def suppressed(state: CustomerState, channel: str, address: str | None) -> bool:
    """Hard suppression (bounce, complaint) of the address on file; a new address is not."""
    item = state.suppressions.get(channel)
    if item is None:
        return False
    fingerprint = item.get("address_hash")
    return not (fingerprint and address and fingerprint != items.address_fingerprint(address))


def exit_reason(state: CustomerState, rules: list[ExitRule], trigger: dict[str, Any],
                entered_at: str, journey: str = "") -> str | None:
    """Has an exit event for this entry arrived (even one the stop call missed)?

    A rule that cannot be evaluated on an event counts as met (fail-safe: nothing is sent)."""
    entry_context: dict[str, Any] | None = None  # made once an exit event is there to judge
    since = clock.instant(entered_at)
    for index, rule in enumerate(rules):
        for event in state.recent_events(rule.event):
            if clock.instant(event.get("time")) < since:
                continue
            if entry_context is None:
                entry_context = context_for(trigger, state.attributes())
            context = {**entry_context, "entry": entry_context, "event": event,
                       **_nouns(rule.event, event)}
            met, failure = condition(rule.when, context, journey=journey,
                                     where=f"exit_on #{index + 1} when", on_error=True,
                                     outcome="exited")
            if met:
                return f"{rule.event} at {event.get('time')}" + (
                    f" ({failure.reason})" if failure else "")
    return None


def _nouns(event_type: str, event: dict[str, Any]) -> dict[str, Any]:
    from tact.expressions import EVENT_NOUNS

    noun = EVENT_NOUNS.get(event_type)
    return {noun: event.get("data", {})} if noun else {}


@dataclass
class ChannelChoice:
    channel: str | None
    address: str | None = None
    reason: str | None = None  # why nothing could be used (first candidate's reason)
    notes: list[str] = field(default_factory=list)


def candidates(state: CustomerState, channel: str, fallback: Sequence[str],
               settings: Settings) -> list[str]:
    if channel == "preferred":
        first = state.attribute("preferred_channel") or settings.fallback_order[0]
        rest = fallback or settings.fallback_order
    else:
        first, rest = channel, fallback
    ordered: list[str] = []
    for c in [first, *rest]:
        if c not in ordered:
            ordered.append(c)
    return ordered


def choose_channel(state: CustomerState, options: list[str], purpose: str,
                   template_channels: list[str]) -> ChannelChoice:
    notes: list[str] = []
    first_reason: str | None = None
    for channel in options:
        reason = _unusable(state, channel, purpose, template_channels)
        if reason is None:
            return ChannelChoice(channel, channel_address(state, channel), None, notes)
        notes.append(f"{channel}: {reason}")
        first_reason = first_reason or reason
    return ChannelChoice(None, None, first_reason or "no_address", notes)


def _unusable(state: CustomerState, channel: str, purpose: str,
              template_channels: list[str]) -> str | None:
    address = channel_address(state, channel)
    if suppressed(state, channel, address):
        return "suppressed"  # bounces and complaints block every purpose, transactional too
    if not address:
        return "no_address"
    # Transactional messages need no marketing consent, but an explicit refusal still counts.
    if purpose == "marketing" and not state.consent_granted(channel, purpose):
        return "no_consent"
    if purpose == "transactional":
        item = state.consents.get((channel, purpose))
        if item is not None and not item.get("granted"):
            return "no_consent"
    if channel not in template_channels:
        return "no_template"
    return None


def cap_writes(state: CustomerState, settings: Settings, purpose: str, channel: str,
               now: datetime) -> list[Put] | None:
    """The cap counter writes that reserve one send, or None when a cap is reached."""
    epoch = int(now.timestamp())
    writes: list[Put] = []
    for scope, caps in settings.caps_for(purpose, channel).items():
        item = state.caps.get((purpose, scope), {})
        horizon = max(c.per for c in caps)
        sends = [int(t) for t in item.get("sends", []) if int(t) > epoch - horizon]
        if any(_reached(sends, cap, epoch) for cap in caps):
            return None
        version = int(item.get("version", 0))
        writes.append(Put(items.cap_counter(purpose, scope, [*sends, epoch], version + 1),
                          expect=version))
    return writes


def _reached(sends: list[int], cap: Cap, epoch: int) -> bool:
    return sum(1 for t in sends if t > epoch - cap.per) >= cap.max
