"""Finding 4 of issue 13: the send checked consent and exits before its write, not at it.

A withdrawal, a complaint or an exit that lands between the send's Query and its transaction
must cancel the send: the transaction re-checks what the Query read, fails, and the send
decides again on a fresh read. The competing call runs at exactly that moment (a botocore
hook on the send's TransactWriteItems), through the real handlers on moto.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tact import tokens
from tests.support.awshooks import aws_calls
from tests.support.sendkit import (
    SIGNING_KEY,
    T0,
    World,
    cart,
    consent,
    envelope,
    profile,
    ses_sent,
    world,
)


def _is_send_write(params: dict[str, Any]) -> bool:
    items = [a.get("Put", {}).get("Item", {}) for a in params.get("TransactItems", [])]
    return any("MSG#" in str(i.get("sk", "")) for i in items)


def _racing(calls: Any, competitor: Callable[[], None]) -> list[bool]:
    raced: list[bool] = []

    def race(service: str, operation: str, params: dict[str, Any]) -> None:
        if not raced and service == "dynamodb" and _is_send_write(params):
            raced.append(True)  # first: the competitor's own calls must not race again
            competitor()

    calls.on_call = race
    return raced


def _unsubscribe(w: World) -> None:
    token = tokens.sign(SIGNING_KEY.encode(), "ana", "email", "marketing", T0)
    response = w.api("POST", f"/unsubscribe/{token}", "List-Unsubscribe=One-Click",
                     "application/x-www-form-urlencoded")
    assert response["statusCode"] == 200


def _complaint(w: World) -> None:
    from tact import runtime
    from tact.notifications.ses import Feedback, apply

    apply(Feedback("complaint", "ana", ["ana@example.com"], "m-1", "2026-11-02T09:00:00Z"),
          runtime.store())


def _shop_revoke(w: World) -> None:
    w.ingest(consent("ana", granted=False, at=T0 + timedelta(hours=1, minutes=59)))


def _entered(w: World) -> None:
    """A real abandoned-cart entry: ingest starts it; its first send is due at 11:00."""
    w.ingest(profile("ana"), consent("ana"), cart("ana", at=T0, value=40))
    assert len(w.state("ana").entries) == 1


def _first_send(w: World) -> dict[str, Any]:
    """Two hours pass on the virtual clock: the compiled state machine invokes the send."""
    w.clock.advance(timedelta(hours=2, minutes=1))
    results = [s["result"] for s in w.sends if s["payload"]["step"] == "reminder_1"]
    assert len(results) >= 1
    return results[-1]


@pytest.mark.parametrize("competitor", [_unsubscribe, _complaint, _shop_revoke],
                         ids=["one_click_unsubscribe", "ses_complaint", "shop_revoke"])
def test_a_withdrawal_between_the_send_read_and_its_write_cancels_the_send(
        competitor: Callable[[World], None], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    with aws_calls() as calls, world(monkeypatch, tmp_path) as w:
        _entered(w)
        raced = _racing(calls, lambda: competitor(w))
        result = _first_send(w)
        assert raced == [True]
        assert result["status"] == "suppressed"
        assert result["reason"] in ("no_consent", "suppressed")
        assert ses_sent() == []
        assert calls.count("sesv2", "SendEmail") == 0


def test_a_purchase_between_the_send_read_and_its_write_cancels_the_send(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with aws_calls() as calls, world(monkeypatch, tmp_path) as w:
        _entered(w)
        purchase = envelope("ana-order-1", "purchase_completed", "ana",
                            T0 + timedelta(hours=1, minutes=59),
                            {"order_id": "o-1", "cart_id": "c-ana", "value": 40})
        raced = _racing(calls, lambda: w.ingest(purchase))
        w.clock.advance(timedelta(hours=2, minutes=1))
        assert raced == [True]
        assert ses_sent() == []
        assert calls.count("sesv2", "SendEmail") == 0


def test_without_a_race_the_same_send_goes_out(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    """The checks pass when nothing changed: the tests above fail for the race, not the setup."""
    with world(monkeypatch, tmp_path) as w:
        _entered(w)
        assert _first_send(w)["status"] == "sent"
        assert len(ses_sent()) == 1
