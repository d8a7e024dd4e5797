"""Finding 1 of issue 14: one journey's failing expression stops only itself.

A second journey whose trigger raises on some purchases (``$number("SHOP-1001")``; it works on
the examples `tact validate` tries) must not fail the purchase for the abandoned-cart journey:
the purchase is stored, ends the cart journey, and no reminder goes out after it. Each kind
of expression resolves to the choice that sends nothing, and the reason is on record. Run
through the real handlers, the compiled state machines and the executor (in-memory store).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tact.customer import CustomerState
from tact.local.report import SimulationReport
from tact.local.simulator import Simulation
from tact.sending.policy import exit_reason
from tests.support.invariants import cart, event, opted_in
from tests.support.paths import JOURNEYS

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BIG_ORDERS = """\
id: big_orders
name: Thank-you for big web orders
trigger:
  event: purchase_completed
  when: "$number($substringAfter(order.order_id, 'WEB-')) > 1000"
purpose: marketing
steps:
  - send: {id: thanks, template: thanks}
"""


THANKS = """\
email:
  subject: "Thank you for your order"
  text: "Thank you. Unsubscribe: {{ links.unsubscribe }}"
"""


def project(tmp_path: Path, **extra: str) -> Path:
    folder = tmp_path / "journeys"
    shutil.copytree(JOURNEYS, folder)
    (folder / "templates" / "thanks.yaml").write_text(THANKS, encoding="utf-8")
    for name, text in extra.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def run(folder: Path, events: list[dict[str, Any]]) -> SimulationReport:
    return Simulation(folder, store="memory",
                      functions_dir=JOURNEYS.parent / "functions").run(events)


def purchase(at: datetime, order_id: str = "SHOP-1001") -> dict[str, Any]:
    return event(f"buy-{order_id}", "purchase_completed", "ana", at,
                 {"order_id": order_id, "cart_id": "c1", "value": 40})


def test_a_journey_whose_trigger_raises_does_not_stop_the_purchase_ending_the_cart_journey(
        tmp_path: Path) -> None:
    folder = project(tmp_path, big_orders=BIG_ORDERS)
    report = run(folder, [*opted_in("ana", T0), cart("cart-1", "ana", T0 + timedelta(minutes=5),
                                                     "c1"),
                          purchase(T0 + timedelta(minutes=30))])
    assert report.rejected_events == []  # the purchase was processed, not dead-lettered
    assert [m for m in report.messages if m["journey"] == "abandoned_cart"] == []
    [cart_run] = [e for e in report.executions if e["journey"] == "abandoned_cart"]
    assert cart_run["status"] == "ABORTED"  # stopped by the purchase, before the reminder
    [skipped] = [t for t in report.timeline if t.journey == "big_orders" and t.what == "skipped"]
    assert "trigger.when" in skipped.detail
    assert "$number($substringAfter(order.order_id, 'WEB-')) > 1000" in skipped.detail
    assert "SHOP-1001" not in skipped.detail  # the error names the place, not the data


def test_a_trigger_that_raises_on_some_events_still_enters_on_the_others(tmp_path: Path) -> None:
    folder = project(tmp_path, big_orders=BIG_ORDERS)
    report = run(folder, [*opted_in("ana", T0), purchase(T0 + timedelta(hours=1), "SHOP-1"),
                          purchase(T0 + timedelta(hours=2), "WEB-2000")])
    started = [t for t in report.timeline if t.journey == "big_orders" and t.what == "started"]
    skipped = [t for t in report.timeline if t.journey == "big_orders" and t.what == "skipped"]
    assert len(started) == 1 and len(skipped) == 1
    assert "expression failed" in skipped[0].detail


def test_an_exit_rule_that_raises_counts_as_met_in_the_send_path_guard() -> None:
    """``exit_reason`` (the send path's guard against a lost stop) never raises: a rule that
    cannot be evaluated on a stored exit event counts as met, so nothing is sent."""
    from tact.journey.model import ExitRule

    state = CustomerState.from_items("ana", [{
        "sk": "LAST#purchase_completed", "version": 1,
        "events": [{"id": "o1", "time": "2026-11-02T10:00:00Z",
                    "data": {"order_id": "WEB-1", "value": 5}}]}])
    rules = [ExitRule(event="purchase_completed", when="$number(order.order_id) > 0")]
    reason = exit_reason(state, rules, {"type": "cart_updated", "data": {}},
                         "2026-11-02T09:00:00Z", "abandoned_cart")
    assert reason is not None and "expression failed" in reason


SPLIT = """\
id: vip_thanks
name: Thanks, by tier
trigger: {event: purchase_completed}
purpose: marketing
steps:
  - split:
      - if: "$number($substringAfter(order.order_id, 'WEB-')) > 1000"
        steps: [{send: {id: vip, template: thanks}}]
      - else: [{send: {id: standard, template: thanks}}]
"""

WAIT_FOR = """\
id: paid_after_signup
name: Paid after signup
trigger: {event: signup}
purpose: marketing
steps:
  - wait_for:
      id: paid
      event: purchase_completed
      timeout: 24h
      when: "$number($substringAfter(order.order_id, 'WEB-')) > 1000"
      on_event: [{send: {id: thanks, template: thanks}}]
      on_timeout: [{send: {id: nudge, template: thanks}}]
"""


@pytest.mark.parametrize("journey,text", [("vip_thanks", SPLIT),
                                          ("paid_after_signup", WAIT_FOR)])
def test_a_split_or_wait_for_that_raises_sends_nothing_and_says_why(
        tmp_path: Path, journey: str, text: str) -> None:
    folder = project(tmp_path, **{journey: text})
    report = run(folder, [*opted_in("ana", T0),
                          event("su-1", "signup", "ana", T0 + timedelta(minutes=2), {}),
                          purchase(T0 + timedelta(hours=1))])
    assert [m for m in report.messages if m["journey"] == journey] == []
    [execution] = [e for e in report.executions if e["journey"] == journey]
    assert execution["status"] in ("FAILED", "ABORTED")
    reasons = [t.detail for t in report.timeline if t.journey == journey
               and "expression failed" in t.detail]
    assert reasons and "$number($substringAfter(order.order_id, 'WEB-')) > 1000" in reasons[0]
