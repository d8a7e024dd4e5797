"""A customer's partition, read once and understood: profile, consents, caps, entries, log
(the keys: tact.store.keys)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from tact.store import keys
from tact.store.base import Item


def plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; logic and templates want int/float."""
    kind = type(value)  # exact types first: this runs on every value of a profile or event
    if kind is str:
        return value
    if kind is Decimal:
        return int(value) if value == value.to_integral_value() else float(value)
    if kind is dict:
        return {k: v if type(v) is str else plain(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) is str else plain(v) for v in value]
    if isinstance(value, Decimal):
        return plain(Decimal(value))
    if isinstance(value, dict):
        return plain(dict(value))
    if isinstance(value, list):
        return plain(list(value))
    return value


_EVENT, _LOG = keys.EVENT, keys.LOG


@dataclass
class CustomerState:
    customer_id: str
    profile: Item = field(default_factory=dict)  # the PROFILE item (attrs: {name: {v, at}})
    consents: dict[tuple[str, str], Item] = field(default_factory=dict)
    suppressions: dict[str, Item] = field(default_factory=dict)
    caps: dict[tuple[str, str], Item] = field(default_factory=dict)
    messages: dict[str, Item] = field(default_factory=dict)  # by sort key
    entries: dict[str, Item] = field(default_factory=dict)  # by sort key
    last_events: dict[str, Item] = field(default_factory=dict)  # by event type
    seen_events: set[str] = field(default_factory=set)
    waits: dict[str, Item] = field(default_factory=dict)  # by sort key

    @classmethod
    def from_items(cls, customer_id: str, items: list[Item]) -> CustomerState:
        state = cls(customer_id)
        seen = state.seen_events
        for item in items:
            sk: str = item["sk"]
            kind, _, rest = sk.partition("#")
            # The kinds are exclusive: the most numerous first (event markers, log entries).
            if kind == _EVENT:
                seen.add(rest)
            elif kind == _LOG:
                continue
            elif sk == keys.PROFILE:
                state.profile = item
            elif kind == keys.CONSENT:
                channel, _, purpose = rest.partition("#")
                state.consents[(channel, purpose)] = item
            elif kind == keys.SUPPRESSION:
                state.suppressions[rest] = item
            elif kind == keys.CAP:
                purpose, _, scope = rest.partition("#")
                state.caps[(purpose, scope)] = item
            elif kind == keys.MSG:
                state.messages[sk] = item
            elif kind == keys.ENTRY:
                state.entries[sk] = item
            elif kind == keys.LAST:
                state.last_events[rest] = item
            elif kind == keys.WAIT:
                state.waits[sk] = item
        return state

    # Profile attributes carry the time they were last set (freshness).
    def attributes(self) -> dict[str, Any]:
        return {name: plain(a.get("v")) for name, a in self.profile.get("attrs", {}).items()}

    def attribute(self, name: str, default: Any = None) -> Any:
        found = self.profile.get("attrs", {}).get(name)
        return default if found is None else plain(found.get("v"))

    def attribute_time(self, name: str) -> str | None:
        found = self.profile.get("attrs", {}).get(name)
        return None if found is None else found.get("at")

    def profile_version(self) -> int:
        return int(self.profile.get("version", 0))

    def consent_granted(self, channel: str, purpose: str) -> bool:
        item = self.consents.get((channel, purpose))
        return bool(item and item.get("granted"))

    def active_entries(self, journey: str, now: datetime) -> list[Item]:
        from tact.clock import instant

        return [e for e in self.entries.values()
                if e.get("journey") == journey and instant(e.get("until")) > now]

    def recent_events(self, event_type: str) -> list[Item]:
        item = self.last_events.get(event_type)
        return plain(item.get("events", [])) if item else []
