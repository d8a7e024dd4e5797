"""Step semantics below the examples: local-time waits across DST, dates from data, updates,
compiled shapes, transition counts, re-entry intervals."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tact import clock
from tact.customer import CustomerState
from tact.journey.bundle import Bundle
from tact.journey.compiler import DECIDE_FUNCTION, compile_journey
from tact.journey.project import load_project
from tact.journey.settings import Settings
from tact.journey_steps.dates import date_from_data, next_time_of_day
from tact.journey_steps.decide import DecideDeps, DecideRequest, decide
from tact.local.simulator import Simulation
from tact.store.memory import MemoryStore
from tests.support.paths import ROOT

EXAMPLES = ROOT / "journeys" / "examples"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("now", "zone", "expected"), [
    # before 09:00 local: today; after: tomorrow
    ("2026-11-02T06:00:00", "Europe/Berlin", "2026-11-02T08:00:00"),
    ("2026-11-02T08:00:00", "Europe/Berlin", "2026-11-03T08:00:00"),  # exactly 09:00: next day
    # Berlin springs forward on 29 March 2026: 09:00 is CEST (UTC+2) that morning
    ("2026-03-28T20:00:00", "Europe/Berlin", "2026-03-29T07:00:00"),
    # New York falls back on 1 November 2026: 09:00 is EST (UTC-5)
    ("2026-11-01T03:00:00", "America/New_York", "2026-11-01T14:00:00"),
    ("2026-11-02T06:00:00", "Asia/Tokyo", "2026-11-03T00:00:00"),
])
def test_next_local_time_of_day(now: str, zone: str, expected: str) -> None:
    assert next_time_of_day(utc(now), "09:00", zone) == utc(expected)


def test_dates_from_data() -> None:
    assert date_from_data("2026-12-01", "10:00", "Europe/Berlin") == utc("2026-12-01T09:00:00")
    assert date_from_data("2026-12-01", None, "Europe/Berlin") == utc("2026-11-30T23:00:00")
    assert date_from_data("2026-12-01T15:30:00Z", None, "Europe/Berlin") == utc(
        "2026-12-01T15:30:00")
    assert date_from_data("2026-12-01T15:30:00Z", "10:00", "America/New_York") == utc(
        "2026-12-01T15:00:00")
    assert date_from_data("next week", None, "UTC") is None
    assert date_from_data(None, None, "UTC") is None


def _deps(store: MemoryStore) -> DecideDeps:
    return DecideDeps(store, Bundle(settings=Settings(), journeys={}, templates={}))


def test_update_sets_attributes_and_tags_once() -> None:
    store = MemoryStore()
    clock.use(lambda: utc("2026-11-02T10:00:00"))
    try:
        request = DecideRequest(op="update", journey="j", step="mark", execution="e1",
                                customer_id="ana", set={"segment": "vip"},
                                add_tags=["welcomed"])
        assert decide(request, _deps(store)) == {"updated": ["segment", "tags"]}
        decide(request, _deps(store))  # a retried invocation changes nothing more
        state = CustomerState.from_items("ana", store.read_customer("ana", clock.now()))
        assert state.attribute("segment") == "vip"
        assert state.attribute("tags") == ["welcomed"]
        assert state.attribute_time("segment") == "2026-11-02T10:00:00Z"
    finally:
        clock.use(None)


def test_split_reads_fresh_data_and_unmet_conditions_fall_to_else() -> None:
    store = MemoryStore()
    clock.use(lambda: utc("2026-11-02T10:00:00"))
    try:
        base = {"op": "split", "journey": "j", "step": "s", "execution": "e", "customer_id": "a",
                "trigger": {"type": "cart_updated", "data": {"value": 150}}}
        conditions: list[str | None] = ["customer.order_count > 3", "cart.value > 100", None]
        assert decide(DecideRequest(**base, conditions=conditions), _deps(store)) == {"branch": 1}
        assert decide(DecideRequest(**base, conditions=conditions[:1]),
                      _deps(store)) == {"branch": -1}
    finally:
        clock.use(None)


def test_compiled_shapes_of_the_new_step_kinds() -> None:
    project = load_project(EXAMPLES)
    welcome = compile_journey(project.journeys["welcome"])["States"]
    split = next(s for s in welcome.values() if s.get("Comment", "").startswith("conditions"))
    assert split["Arguments"]["FunctionName"] == DECIDE_FUNCTION
    assert split["Arguments"]["Payload"]["conditions"] == ["customer.has_account = true"]
    choice = welcome[split["Next"]]
    assert choice["Type"] == "Choice" and choice["Default"] == "welcome_register"
    assert welcome["wait_until_1000"]["Arguments"]["Payload"]["until"] == "10:00"
    assert welcome["wait_until_1000_timer"]["Timestamp"] == "{% $states.input.until %}"
    winback = compile_journey(project.journeys["winback"])
    assert winback["StartAt"] == "holdout"
    assert winback["States"]["holdout"]["Arguments"]["Payload"]["share"] == pytest.approx(0.1)
    assert winback["States"]["holdout_branch"]["Choices"][0]["Next"] == "holdout_control"


def test_abandoned_cart_longest_path_is_at_most_seven_transitions() -> None:
    def event(eid: str, kind: str, at: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"id": eid, "type": kind, "customer_id": "ana", "time": at, "data": data}

    report = Simulation(ROOT / "journeys", store="memory").run([
        event("p", "customer_updated", "2026-11-02T07:00:00Z", {"email": "ana@example.com"}),
        event("c", "consent_changed", "2026-11-02T07:01:00Z",
              {"channel": "email", "purpose": "marketing", "granted": True}),
        event("cart", "cart_updated", "2026-11-02T09:00:00Z",
              {"cart_id": "c1", "value": 40, "currency": "EUR", "items": []}),
    ])
    assert len(report.messages) == 2
    (run,) = [e for e in report.executions if e["journey"] == "abandoned_cart"]
    assert run["states"] == ["wait_2h", "reminder_1", "reminder_1_deferred", "wait_1d",
                             "reminder_2", "reminder_2_deferred", "done"]
    assert run["transitions"] <= 7


REENTRY = """\
id: again
name: Re-entry at most monthly
trigger: {event: lifecycle_changed, when: "lifecycle.stage = 'lapsed'"}
reentry: allow
reentry_interval: 30d
steps:
  - wait: 1h
  - send: {id: hello, template: welcome_tips}
"""


def test_reentry_allow_honours_the_minimum_interval(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "templates", tmp_path / "templates")
    shutil.copy(EXAMPLES / "settings.yaml", tmp_path / "settings.yaml")
    (tmp_path / "again.yaml").write_text(REENTRY, encoding="utf-8")

    def lapsed(n: int, at: str) -> dict[str, Any]:
        return {"id": f"l{n}", "type": "lifecycle_changed", "customer_id": "ana", "time": at,
                "data": {"stage": "lapsed"}}

    report = Simulation(tmp_path, store="memory", functions_dir=ROOT / "functions").run([
        {"id": "p", "type": "customer_updated", "customer_id": "ana",
         "time": "2026-09-01T07:00:00Z", "data": {"email": "ana@example.com"}},
        {"id": "c", "type": "consent_changed", "customer_id": "ana",
         "time": "2026-09-01T07:01:00Z",
         "data": {"channel": "email", "purpose": "marketing", "granted": True}},
        lapsed(1, "2026-09-01T10:00:00Z"),
        lapsed(2, "2026-09-11T10:00:00Z"),   # 10 days later: too soon
        lapsed(3, "2026-10-12T10:00:00Z"),   # 41 days later: enters again
    ])
    assert [m["sent_at"] for m in report.messages] == ["2026-09-01T11:00:00Z",
                                                       "2026-10-12T11:00:00Z"]
    skipped = [t.detail for t in report.timeline if t.what == "skipped"]
    assert skipped == ["entered less than reentry_interval ago"]


DATE_WAIT = """\
id: delivered
name: After delivery
trigger: {event: purchase_completed}
steps:
  - wait: {until: "order.delivery_date", at: "10:00"}
  - send: {id: review, template: welcome_tips}
"""


def test_wait_until_a_date_from_event_data(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "templates", tmp_path / "templates")
    settings = (EXAMPLES / "settings.yaml").read_text(encoding="utf-8")
    # The shop's own field: declared, so validate knows it (and ingest checks its type).
    (tmp_path / "settings.yaml").write_text(
        settings + "event_fields: {purchase_completed: {delivery_date: datetime}}\n",
        encoding="utf-8")
    (tmp_path / "delivered.yaml").write_text(DATE_WAIT, encoding="utf-8")
    events: list[dict[str, Any]] = []
    for who, zone, date in (("ana", "Europe/Berlin", "2026-11-06"),
                            ("ben", "America/New_York", "2026-11-06"),
                            ("cy", "Europe/Berlin", "2026-10-01")):  # past: goes on at once
        events += [
            {"id": f"{who}-p", "type": "customer_updated", "customer_id": who,
             "time": "2026-11-02T07:00:00Z", "data": {"email": f"{who}@example.com",
                                                      "timezone": zone}},
            {"id": f"{who}-c", "type": "consent_changed", "customer_id": who,
             "time": "2026-11-02T07:01:00Z",
             "data": {"channel": "email", "purpose": "marketing", "granted": True}},
            {"id": f"{who}-o", "type": "purchase_completed", "customer_id": who,
             "time": "2026-11-02T12:00:00Z",
             "data": {"order_id": f"{who}-o", "value": 10, "delivery_date": date}},
        ]
    report = Simulation(tmp_path, store="memory", functions_dir=ROOT / "functions").run(events)
    assert sorted((m["customer_id"], m["sent_at"]) for m in report.messages) == [
        ("ana", "2026-11-06T09:00:00Z"), ("ben", "2026-11-06T15:00:00Z"),
        ("cy", "2026-11-02T12:00:00Z")]


def test_conditions_see_when_attributes_were_set() -> None:
    store = MemoryStore()
    clock.use(lambda: utc("2026-11-02T10:00:00"))
    try:
        decide(DecideRequest(op="update", journey="j", step="u", execution="e", customer_id="a",
                             set={"segment": "vip"}), _deps(store))
        base = {"op": "split", "journey": "j", "step": "s", "execution": "e", "customer_id": "a"}
        fresh = "$toMillis(freshness.segment) > $toMillis('2026-11-01T00:00:00Z')"
        stale = "$toMillis(freshness.segment) > $toMillis('2026-11-03T00:00:00Z')"
        assert decide(DecideRequest(**base, conditions=[fresh]), _deps(store)) == {"branch": 0}
        assert decide(DecideRequest(**base, conditions=[stale]), _deps(store)) == {"branch": -1}
    finally:
        clock.use(None)


def test_templates_and_conditions_see_event_data_with_model_defaults() -> None:
    from tact.expressions import context_for, is_true
    from tact.templates import render_message

    # The shop left out the currency and an item's quantity: validate allowed reading them,
    # so they must be there when the message renders (never an undefined at send time).
    trigger = {"type": "cart_updated", "data": {"cart_id": "c1", "value": 49.9, "items": [
        {"sku": "TEE", "name": "Tee", "price": 49.9, "gift_wrap": True}]}}
    context = context_for(trigger, {})
    assert context["cart"]["currency"] == "EUR"
    assert context["cart"]["items"][0]["quantity"] == 1
    assert context["cart"]["items"][0]["gift_wrap"] is True  # extra fields stay
    assert is_true("cart.value > 40 and cart.items[0].quantity = 1", context)
    template = load_project(ROOT / "journeys").templates["cart_reminder_1"]
    text = render_message(template, "email", {**context, "links": {"unsubscribe": "u"}})["text"]
    assert "- Tee x1" in text and "Total: €49.90" in text
