"""Acceptance 2 of issue 14, end to end through `tact simulate`: one journey's trigger raises
on some purchases; the abandoned-cart journey beside it still ends at the purchase (no reminder
after it), and the output names the failing journey and expression."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from tact.cli import app
from tests.support.paths import JOURNEYS

EXPRESSION = "$number($substringAfter(order.order_id, 'WEB-')) > 1000"
BIG_ORDERS = f"""\
id: big_orders
name: Big web orders get a tag
trigger:
  event: purchase_completed
  when: "{EXPRESSION}"
steps:
  - update: {{id: tag_big, add_tags: [big_order]}}
"""


def ev(event_id: str, kind: str, at: str, data: dict[str, object]) -> str:
    return json.dumps({"id": event_id, "type": kind, "customer_id": "ana",
                       "time": f"2026-11-02T{at}Z", "data": data})


def test_simulate_a_journey_whose_trigger_raises_beside_the_cart_journey(tmp_path: Path) -> None:
    journeys = tmp_path / "journeys"  # a project: journeys/ beside the real functions/
    shutil.copytree(JOURNEYS, journeys)
    (tmp_path / "functions").symlink_to(JOURNEYS.parent / "functions")
    (journeys / "big_orders.yaml").write_text(BIG_ORDERS, encoding="utf-8")
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join([
        ev("p-1", "customer_updated", "08:00:00", {"email": "ana@example.com"}),
        ev("c-1", "consent_changed", "08:01:00",
           {"channel": "email", "purpose": "marketing", "granted": True}),
        ev("cart-1", "cart_updated", "09:00:00", {"cart_id": "c1", "value": 40}),
        ev("buy-1", "purchase_completed", "09:30:00",
           {"order_id": "SHOP-77", "cart_id": "c1", "value": 40}),
    ]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["simulate", "--events", str(events), "--journeys",
                                      str(journeys), "--store", "memory",
                                      "--save-run", str(tmp_path / "run.json"), "--timeline"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "0 messages sent" in output  # no reminder after the purchase
    assert "stopped abandoned_cart purchase_completed buy-1" in output
    assert "big_orders expression failed: trigger.when of journey big_orders" in output
    assert EXPRESSION in output
