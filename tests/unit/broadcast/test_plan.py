"""The dry run: audience, exclusions and why, waves and their hourly curve, from history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tact.broadcast.known import known_customers
from tact.broadcast.model import Broadcast
from tact.broadcast.plan import plan
from tact.broadcast.segment import SegmentMatcher, in_segment
from tact.customer import CustomerState
from tact.journey.settings import Settings

SEGMENT = "customer.lifecycle_stage = 'active' and customer.favorite_category = 'apparel'"


def _events(customer: str, zone: str, *, consent: bool = True, category: str = "apparel",
            suppressed_email: bool = False) -> list[dict[str, Any]]:
    out = [
        {"id": f"{customer}-p", "type": "customer_updated", "customer_id": customer,
         "time": "2026-11-01T08:00:00Z",
         "data": {"email": f"{customer}@example.com", "timezone": zone}},
        {"id": f"{customer}-o", "type": "purchase_completed", "customer_id": customer,
         "time": "2026-11-02T08:00:00Z",
         "data": {"order_id": f"o-{customer}", "value": 40, "currency": "EUR",
                  "items": [{"sku": "s", "category": category, "price": 40}]}},
        {"id": f"{customer}-cart", "type": "cart_updated", "customer_id": customer,
         "time": "2026-11-02T07:00:00Z", "data": {"cart_id": "x", "value": 1, "items": []}},
    ]
    if consent:
        out.append({"id": f"{customer}-c", "type": "consent_changed", "customer_id": customer,
                    "time": "2026-11-01T08:01:00Z",
                    "data": {"channel": "email", "purpose": "marketing", "granted": True}})
    return out


def _broadcast(**extra: Any) -> Broadcast:
    return Broadcast.model_validate({
        "id": "autumn_range", "name": "Autumn", "segment": SEGMENT,
        "send": {"channel": "preferred", "fallback": ["email"], "template": "t"},
        "at": {"date": "2026-11-05", "local_time": "10:00"}, **extra})


def test_the_plan_counts_audience_exclusions_and_waves() -> None:
    events = (_events("hel", "Europe/Helsinki") + _events("nyc", "America/New_York")
              + _events("tyo", "Asia/Tokyo") + _events("nope", "Europe/Helsinki", consent=False)
              + _events("books", "Europe/Helsinki", category="books"))
    events.append(events[0])  # a redelivered event counts once
    states = known_customers(events, None)
    result = plan(_broadcast(), SEGMENT, states.values(), Settings(), ["email"])
    assert (result.customers, result.audience, result.sends) == (5, 4, 3)
    assert dict(result.excluded) == {"no_consent": 1}
    assert [(w.at.hour, w.sends, w.labels) for w in result.waves] == [
        (1, 1, ["UTC+09:00"]), (8, 1, ["UTC+02:00"]), (15, 1, ["UTC-05:00"])]
    helsinki = result.waves[1]
    assert helsinki.excluded == 1


def test_history_after_the_start_is_not_known_yet() -> None:
    late = _events("late", "Europe/Helsinki")
    for event in late:
        event["time"] = "2026-11-05T07:00:00Z"  # after the first wave (UTC+14) began
    states = known_customers(late + _events("hel", "Europe/Helsinki"),
                             datetime(2026, 11, 4, 20, tzinfo=UTC))
    assert set(states) == {"hel"}


def test_a_throttle_spreads_a_wave_over_the_hours_it_takes() -> None:
    events = [e for n in range(30) for e in _events(f"c{n}", "Europe/Helsinki")]
    states = known_customers(events, None)
    result = plan(_broadcast(throttle="10/h"), SEGMENT, states.values(), Settings(), ["email"])
    (wave,) = result.waves
    assert sum(wave.hourly.values()) == 30
    assert [h.hour for h in sorted(wave.hourly)] == [8, 9, 10]  # 3 hours at 10 an hour
    assert result.last_send_at == datetime(2026, 11, 5, 11, 0, tzinfo=UTC)


def test_holdout_is_a_stable_share_of_the_segment() -> None:
    events = [e for n in range(400) for e in _events(f"c{n}", "Europe/Helsinki")]
    states = known_customers(events, None)
    first = plan(_broadcast(holdout="10%"), SEGMENT, states.values(), Settings(), ["email"])
    again = plan(_broadcast(holdout="10%"), SEGMENT, states.values(), Settings(), ["email"])
    assert 20 <= first.excluded["holdout"] <= 60
    assert first.excluded == again.excluded


VALUES = st.one_of(st.none(), st.sampled_from(["active", "lapsed", "apparel", "books"]),
                   st.integers(-2, 5), st.booleans())
CONDITIONS = st.sampled_from([
    SEGMENT, "customer.order_count > 2 or customer.lifecycle_stage = 'lapsed'",
    "$exists(customer.favorite_category)", "customer.lifecycle_stage in ['active', 'lapsed']",
    "not(customer.has_account)", "customer.order_count >= 1 and freshness.order_count > '2026'",
    "$count($keys(customer)) > 2",
])


@given(condition=CONDITIONS, attrs=st.dictionaries(
    st.sampled_from(["lifecycle_stage", "favorite_category", "order_count", "has_account"]),
    VALUES, max_size=4), times=st.sampled_from(["2025-01-01T00:00:00Z", "2026-06-01T00:00:00Z"]))
def test_the_memoized_segment_matches_exactly_what_jsonata_says(
        condition: str, attrs: dict[str, Any], times: str) -> None:
    state = CustomerState("c", profile={"sk": "PROFILE", "attrs": {
        k: {"v": v, "at": times} for k, v in attrs.items() if v is not None}})
    matcher = SegmentMatcher(condition)
    assert matcher.matches(state) == in_segment(condition, state)
    assert matcher.matches(state) == in_segment(condition, state)  # from the cache too


def test_when_narrows_a_referenced_segment() -> None:
    from tact.broadcast.model import Segment
    from tact.broadcast.segment import condition_of

    segments = {"active": Segment(id="active", name="Active",
                                  when="customer.lifecycle_stage = 'active'")}
    narrowed = Broadcast.model_validate({
        "id": "b", "name": "B", "segment": "active", "send": {"template": "t"},
        "when": "customer.favorite_category = 'books'",
        "at": {"date": "2026-11-05", "local_time": "10:00"}})
    condition = condition_of(narrowed, segments)
    states = known_customers(_events("hel", "Europe/Helsinki")
                             + _events("bk", "Europe/Helsinki", category="books"), None)
    result = plan(narrowed, condition, states.values(), Settings(), ["email"])
    assert (result.audience, result.sends) == (1, 1)
