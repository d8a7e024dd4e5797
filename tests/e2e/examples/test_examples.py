"""The four example journeys (journeys/examples), simulated through the compiled machines.

Each expectation pins step semantics: exact minutes on the virtual clock, the branch taken
on fresh customer data, conversions ending entries, holdout members receiving nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from tact.journey.bundle_builder import build
from tact.journey.project import load_project
from tact.journey_steps.buckets import in_holdout
from tact.local.simulator import Simulation
from tests.support.paths import ROOT

EXAMPLES = ROOT / "journeys" / "examples"


def ev(event_id: str, kind: str, customer: str, at: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "customer_id": customer, "time": at, "data": data}


def signup(customer: str, at: str, zone: str = "Europe/Berlin", **extra: Any) -> dict[str, Any]:
    return ev(f"{customer}-signup", "signup", customer, at,
              {"email": f"{customer}@example.com", "timezone": zone, **extra})


def profile(customer: str, at: str, zone: str = "Europe/Berlin") -> dict[str, Any]:
    return ev(f"{customer}-profile", "customer_updated", customer, at,
              {"email": f"{customer}@example.com", "timezone": zone})


def consent(customer: str, at: str) -> dict[str, Any]:
    return ev(f"{customer}-consent", "consent_changed", customer, at,
              {"channel": "email", "purpose": "marketing", "granted": True})


def item(sku: str, category: str, price: float = 30) -> dict[str, Any]:
    return {"sku": sku, "name": sku.title(), "category": category, "price": price, "quantity": 1}


def purchase(customer: str, at: str, items: list[dict[str, Any]] | None = None,
             order: str = "o1") -> dict[str, Any]:
    data: dict[str, Any] = {"order_id": f"{customer}-{order}", "value": 30, "currency": "EUR",
                            "items": items or []}
    return ev(f"{customer}-{order}", "purchase_completed", customer, at, data)


def sent(report: Any, journey: str) -> list[tuple[str, str, str]]:
    return sorted((m["customer_id"], m["step"], m["sent_at"]) for m in report.messages
                  if m["journey"] == journey)


def test_every_example_validates_without_findings_and_compiles() -> None:
    project = load_project(EXAMPLES)
    assert [d.format() for d in project.diagnostics] == []
    assert sorted(project.journeys) == ["abandoned_cart", "checkout_reminder", "post_purchase",
                                        "welcome", "winback"]
    bundle, definitions = build(project)
    assert set(definitions) == set(project.journeys)
    assert bundle.journeys["winback"].holdout == pytest.approx(0.10)
    assert [g.event for g in bundle.journeys["welcome"].goals] == ["purchase_completed"]
    assert bundle.journeys["winback"].reentry_interval == 90 * 86400


def test_every_example_has_an_events_file_that_simulates() -> None:
    from tact.local.simulator import simulate_file

    for name in ("abandoned_cart", "welcome", "post_purchase", "winback"):
        path = EXAMPLES / f"{name}.events.jsonl"
        history = EXAMPLES / f"{name}.history.jsonl"  # what the model learns from (cross-sell)
        report = simulate_file(path, EXAMPLES, "memory",
                               history_path=history if history.is_file() else None)
        assert report.rejected_events == [], name
        assert any(m["journey"] == name for m in report.messages), name


def test_abandoned_cart_reminds_at_2h_and_26h_and_stops_on_purchase() -> None:
    cart = {"cart_id": "c1", "value": 40, "currency": "EUR", "items": [item("MUG", "home", 40)]}
    report = Simulation(EXAMPLES).run([
        profile("ana", "2026-11-02T07:00:00Z"), consent("ana", "2026-11-02T07:01:00Z"),
        profile("bo", "2026-11-02T07:00:00Z"), consent("bo", "2026-11-02T07:01:00Z"),
        ev("ana-cart", "cart_updated", "ana", "2026-11-02T09:00:00Z", cart),
        ev("bo-cart", "cart_updated", "bo", "2026-11-02T09:00:00Z", cart),
        purchase("bo", "2026-11-02T12:00:00Z"),
    ])
    assert sent(report, "abandoned_cart") == [
        ("ana", "reminder_1", "2026-11-02T11:00:00Z"),
        ("ana", "reminder_2", "2026-11-03T11:00:00Z"),
        ("bo", "reminder_1", "2026-11-02T11:00:00Z"),
    ]


def test_welcome_routes_on_fresh_account_data_and_tips_at_ten_local() -> None:
    report = Simulation(EXAMPLES).run([
        # ana signs up without an account and creates one 20 minutes later: the split, an
        # hour after signup, reads the fresh profile and sends the login link.
        signup("ana", "2026-11-02T15:00:00Z", has_account=False),
        consent("ana", "2026-11-02T15:00:00Z"),
        ev("ana-account", "account_created", "ana", "2026-11-02T15:20:00Z", {}),
        signup("ben", "2026-11-02T15:00:00Z", zone="America/New_York"),
        consent("ben", "2026-11-02T15:00:00Z"),
        # cy buys the next day: the goal converts her entry, so no tips follow.
        signup("cy", "2026-11-02T15:00:00Z", has_account=True),
        consent("cy", "2026-11-02T15:00:00Z"),
        purchase("cy", "2026-11-03T12:00:00Z"),
    ])
    assert sent(report, "welcome") == [
        ("ana", "welcome_login", "2026-11-02T16:00:00Z"),
        ("ana", "welcome_tips", "2026-11-05T09:00:00Z"),   # 10:00 in Berlin (CET)
        ("ben", "welcome_register", "2026-11-02T16:00:00Z"),
        ("ben", "welcome_tips", "2026-11-05T15:00:00Z"),   # 10:00 in New York (EST)
        ("cy", "welcome_login", "2026-11-02T16:00:00Z"),
    ]
    converted = [t for t in report.timeline if t.what == "converted"]
    assert [(t.customer_id, t.journey) for t in converted] == [("cy", "welcome")]


TEE, HOODIE = item("TEE", "apparel"), item("HOODIE", "apparel")


def test_post_purchase_suggests_the_next_best_product_after_seven_days() -> None:
    # The shop's October: tee buyers went on to buy a hoodie (what the model learns from).
    history = [purchase(f"s{n}", f"2026-10-{n:02d}T10:00:00Z", [TEE]) for n in range(1, 5)]
    history += [purchase(f"s{n}", f"2026-10-{n + 10:02d}T10:00:00Z", [HOODIE], order="o2")
                for n in range(1, 5)]
    report = Simulation(EXAMPLES).run([
        *history,
        profile("ana", "2026-11-01T08:00:00Z"), consent("ana", "2026-11-01T08:01:00Z"),
        profile("ben", "2026-11-01T08:00:00Z"), consent("ben", "2026-11-01T08:01:00Z"),
        profile("cy", "2026-11-01T08:00:00Z"), consent("cy", "2026-11-01T08:01:00Z"),
        # ana bought a tee: the hoodie is her next best product.
        purchase("ana", "2026-11-02T10:00:00Z", [TEE]),
        # ben bought both: the shop sells nothing else he has not bought, nothing is sent.
        purchase("ben", "2026-11-02T10:00:00Z", [TEE, HOODIE]),
        # cy's order is refunded on day 3: the journey ends.
        purchase("cy", "2026-11-02T10:00:00Z", [TEE]),
        ev("cy-refund", "order_refunded", "cy", "2026-11-05T10:00:00Z",
           {"order_id": "cy-o1", "value": 30, "full": True}),
    ])
    assert [m for m in sent(report, "post_purchase") if m[0] in ("ana", "ben", "cy")] == [
        ("ana", "cross_sell", "2026-11-09T10:00:00Z")]
    # The timeline says why ben got nothing: his entry ended at the `exit` step.
    ended = [(t.customer_id, t.step, t.at) for t in report.timeline
             if t.what == "ended" and t.customer_id in ("ana", "ben", "cy")]
    assert ended == [("ben", "exit", "2026-11-09T10:00:00Z")]
    ana = next(i for i in report.items["ana"] if i["sk"] == "PROFILE")["attrs"]
    assert [p["sku"] for p in ana["next_best_products"]["v"]] == ["HOODIE"]
    assert ana["next_best_products"]["at"] == "2026-11-02T10:00:00Z"  # its freshness


def test_post_purchase_template_names_the_next_best_product() -> None:
    from tact.templates import render_message

    template = load_project(EXAMPLES).templates["cross_sell"]
    text = render_message(template, "email", {
        "customer": {"next_best_products": [
            {"sku": "HOODIE", "name": "Hoodie", "category": "apparel", "score": 0.8},
            {"sku": "MUG", "name": "Mug", "category": "home", "score": 0.1}]},
        "links": {"unsubscribe": "https://u"}})["text"]
    assert "Something you may like next: Hoodie (apparel)" in text
    assert "Mug" not in text and "0.8" not in text  # one product; never its score


def test_winback_holdout_receives_nothing_and_conversions_are_tracked() -> None:
    customers = [f"c{n:03d}" for n in range(60)]
    control = [c for c in customers if in_holdout("winback", c, 0.10)]
    assert 1 <= len(control) <= 15  # the fixture must contain both groups
    events: list[dict[str, Any]] = []
    for c in customers:
        events += [profile(c, "2026-11-01T08:00:00Z"), consent(c, "2026-11-01T08:01:00Z"),
                   ev(f"{c}-lapsed", "lifecycle_changed", c, "2026-11-02T03:00:00Z",
                      {"stage": "lapsed", "previous": "active"})]
    buyer = next(c for c in customers if c not in control)
    events.append(purchase(buyer, "2026-11-04T12:00:00Z"))
    events.append(purchase(control[0], "2026-11-04T12:00:00Z"))
    report = Simulation(EXAMPLES, store="memory").run(events)
    got = sent(report, "winback")
    receivers = {c for c, _, _ in got}
    assert receivers == set(customers) - set(control)
    for c in receivers:
        steps = sorted(((s, t) for who, s, t in got if who == c), key=lambda st: st[1])
        expected = [("winback_offer", "2026-11-02T09:00:00Z")]  # 10:00 in Berlin
        if c != buyer:  # still lapsed a week later: the last call
            expected.append(("winback_last_call", "2026-11-09T09:00:00Z"))
        assert steps == expected, c
    holdout_log = {t.customer_id for t in report.timeline if t.what == "holdout"}
    assert holdout_log == set(control)
    converted = {t.customer_id: t.detail for t in report.timeline if t.what == "converted"}
    assert set(converted) == {buyer, control[0]}
    assert converted[control[0]].endswith("(control group)")
    assert not converted[buyer].endswith("(control group)")


def test_checkout_reminder_ab_test_with_holdout() -> None:
    """The ab_split example: each customer always in one variant, both variants sent, the
    holdout gets nothing, a purchase before the reminder ends the entry (issue 15)."""
    import json

    events = [json.loads(line) for line in
              (EXAMPLES / "checkout_reminder.events.jsonl").read_text().splitlines()]
    report = Simulation(EXAMPLES, store="memory").run(events)
    assert report.rejected_events == []
    got = sent(report, "checkout_reminder")
    steps = {step for _, step, _ in got}
    assert steps == {"reminder_plain", "reminder_items"}
    customers = [c for c, _, _ in got]
    assert len(customers) == len(set(customers))  # one reminder each, one variant each
    bundle, _ = build(load_project(EXAMPLES))
    runtime = bundle.journeys["checkout_reminder"]
    checked_out = {e["customer_id"] for e in events if e["type"] == "checkout_started"}
    held = {c for c in checked_out if in_holdout(runtime.id, c, runtime.holdout)}
    assert held and not held & set(customers)
    assert "gus" not in customers  # bought 30 minutes after checkout, before the reminder
    assert set(customers) == checked_out - held - {"gus"}
