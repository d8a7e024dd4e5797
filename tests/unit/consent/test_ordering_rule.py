"""The consent ordering rule (tact.consent), case by case, without AWS: the decisions a
CONSENT item ends with, and that every decision is in its history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tact.consent import consent_write, customer_decision, shop_decision
from tact.customer import CustomerState

T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def shop(granted: bool, stamped: float, received: float, event_id: str = "") -> object:
    return shop_decision("email", "marketing", granted, "shop", T + timedelta(seconds=stamped),
                         T + timedelta(seconds=received), event_id or f"s{stamped}{granted}")


def customer(granted: bool, received: float) -> object:
    return customer_decision("email", "marketing", granted, "preferences_page",
                             T + timedelta(seconds=received), f"c{received}{granted}")


def final(*decisions: object) -> dict[str, object]:
    state = CustomerState("ana")
    for decision in decisions:
        put = consent_write(state, decision)  # type: ignore[arg-type]
        assert put.expect == int(state.consents.get(("email", "marketing"), {})
                                 .get("version", 0))
        state.consents[("email", "marketing")] = put.item
    return state.consents[("email", "marketing")]


@pytest.mark.parametrize(("decisions", "granted"), [
    # A shop clock 20 min fast cannot outrank a later withdrawal (finding 1).
    ([shop(True, 1200, 0), customer(False, 300)], False),
    # ... nor can a shop grant received later but stamped before the withdrawal.
    ([customer(False, 300), shop(True, 200, 400)], False),
    # ... nor one queued before the withdrawal (SQS SentTimestamp) but processed after it.
    ([customer(False, 300), shop(True, 1200, 0)], False),
    ([customer(True, 300), shop(False, 1200, 0)], True),
    # A shop grant received later and stamped later is a new decision: it stands.
    ([customer(False, 300), shop(True, 400, 400)], True),
    # Ties within a second: the withdrawal wins, in either order (finding 2).
    ([shop(True, 0, 0), shop(False, 0.5, 0.5)], False),
    ([shop(False, 0.5, 0.5), shop(True, 0, 0)], False),
    ([customer(False, 10), customer(True, 10.6)], False),
    ([customer(False, 10), shop(True, 10.5, 10.5)], False),
    # A second later, a customer's own grant is a new decision.
    ([customer(False, 10), customer(True, 11)], True),
    # Shop events among themselves by their own time, whatever the arrival order.
    ([shop(True, 100, 0), shop(False, 50, 10)], True),
    ([shop(False, 50, 0), shop(True, 100, 10)], True),
    # A customer withdrawal beats a stored shop grant whatever its stamp.
    ([shop(True, 3600, 0), customer(False, 2)], False),
    # ... and a later shop decision still has to beat the customer's word, not just the shop's.
    ([customer(False, 300), shop(False, -3000, 400), shop(True, -2900, 500)], False),
])
def test_the_effective_decision(decisions: list[object], granted: bool) -> None:
    assert final(*decisions)["granted"] is granted


def test_every_decision_applied_or_superseded_is_in_the_history() -> None:
    decisions = [shop(True, 1200, 0, "a"), customer(False, 300), shop(True, 200, 400, "b"),
                 shop(False, 0, 401, "c")]
    item = final(*decisions)
    history = list(item["history"])  # type: ignore[call-overload]
    assert len(history) == 4
    assert [h["applied"] for h in reversed(history)] == [True, True, False, True]
    assert {h["received_at"] for h in history} >= {"2026-11-02T09:05:00Z",
                                                    "2026-11-02T09:06:40Z"}
    assert item["version"] == 4
