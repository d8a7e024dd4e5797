"""What a send read, re-checked in its own transaction.

The send decides on one Query, then writes its message record and cap reservation in one
transaction. A withdrawal, a complaint or an exit can land in between; these condition checks
ride in that same transaction, so it fails and the send decides again on a fresh read:

* the consent item of the chosen channel and purpose (its version; absent stays absent);
* the channel's suppression item (a complaint or bounce landing in between);
* the entry, when it was read (an exit deletes it, a goal conversion ends it);
* the newest events of each exit type (an exit event arriving in between, entry or not).

No extra request: the checks are items of the one TransactWriteItems call.
"""

from __future__ import annotations

from typing import Any

from tact.customer import CustomerState
from tact.journey.rules import ExitRule
from tact.store.base import Check
from tact.store.keys import consent_key, entry_key, last_key, suppression_key


def _as_read(sk: str, item: dict[str, Any] | None, *names: str) -> Check:
    if item is None:
        return Check(sk, "absent")
    present = {n: item[n] for n in names if n in item}
    return Check(sk, present)


def read_checks(state: CustomerState, channel: str, purpose: str, journey: str,
                execution: str, exit_on: list[ExitRule]) -> list[Check]:
    consent = state.consents.get((channel, purpose))
    checks = [
        _as_read(consent_key(channel, purpose), consent, "version", "at", "granted"),
        _as_read(suppression_key(channel), state.suppressions.get(channel), "at",
                 "address_hash"),
    ]
    entry = state.entries.get(entry_key(journey, execution))
    if entry is not None:
        checks.append(_as_read(entry_key(journey, execution), entry, "until"))
    for event_type in sorted({rule.event for rule in exit_on}):
        checks.append(_as_read(last_key(event_type), state.last_events.get(event_type),
                               "version"))
    return checks
