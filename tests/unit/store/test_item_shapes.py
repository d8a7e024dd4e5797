"""The table's keys and item shapes, as tact.store.keys and tact.store.items build them: the
layout every reader (CustomerState, analytics, history) and the deployed data depend on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tact.customer import CustomerState
from tact.store import items, keys

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
EPOCH = int(NOW.timestamp())


def test_keys_of_every_item_kind() -> None:
    assert keys.pk("ana") == "C#ana" and keys.customer_of("C#ana") == "ana"
    assert keys.customer_of("LASTPURCHASE#3") is None
    assert keys.consent_key("email", "marketing") == "CONSENT#email#marketing"
    assert keys.suppression_key("sms") == "SUPPRESSION#sms"
    assert keys.cap_key("marketing", "any") == "CAP#marketing#any"
    assert keys.msg_key("x1", "reminder_1") == "MSG#x1#reminder_1"
    assert keys.entry_key("cart", "x1") == "ENTRY#cart#x1"
    assert keys.last_key("purchase_completed") == "LAST#purchase_completed"
    assert keys.event_key("e-1") == "EVENT#e-1"
    assert keys.wait_key("cart", "x1", "paid") == "WAIT#cart#x1#paid"
    assert keys.log_key("2026-11-02T09:00:00Z", "e-1", 0) == "LOG#2026-11-02T09:00:00Z#e-1#0"
    assert keys.step_log_key("x1", "ab", "assigned") == "LOG#x1#ab#assigned"
    kinds = [keys.kind_of(k) for k in ("PROFILE", "MSG#x#s", "LOG#t#x#s")]
    assert kinds == ["PROFILE", "MSG", "LOG"]


def test_lifecycle_index_keys_only_for_active_customers_spread_over_shards() -> None:
    index = keys.index_keys("ana", "active", "2026-10-01T00:00:00Z")
    assert index == {"gsi1pk": f"LASTPURCHASE#{keys.shard_of('ana')}",
                     "gsi1sk": "2026-10-01T00:00:00Z"}
    assert keys.index_keys("ana", "lapsed", "2026-10-01T00:00:00Z") == {}
    assert keys.index_keys("ana", "active", None) == {}
    shards = {keys.shard_of(f"c{n}") for n in range(200)}
    assert shards == set(range(keys.SHARDS))


def test_versioned_items_carry_the_next_version_and_keep_other_fields() -> None:
    profile = items.profile({"tier": {"v": "gold", "at": "t"}}, 3,
                            kept={"sk": "PROFILE", "attrs": {}, "version": 2, "extra": 1},
                            scores={"shoes": 0.5}, index={"gsi1pk": "LASTPURCHASE#1"})
    assert profile == {"sk": "PROFILE", "attrs": {"tier": {"v": "gold", "at": "t"}},
                       "version": 3, "extra": 1, "category_scores": {"shoes": 0.5},
                       "gsi1pk": "LASTPURCHASE#1"}
    assert "category_scores" not in items.profile({}, 1, scores={})
    recent = items.recent_events("cart_updated", [{"id": "e"}], 5, kept={"other": True})
    assert recent == {"sk": "LAST#cart_updated", "events": [{"id": "e"}], "version": 5,
                      "other": True}
    assert items.cap_counter("marketing", "email", [EPOCH], 2) == {
        "sk": "CAP#marketing#email", "sends": [EPOCH], "version": 2}


def test_expiring_items_expire_when_they_say() -> None:
    marker = items.event_marker("e-1", "2026-11-02T08:00:00Z", NOW, timedelta(days=35))
    assert marker == {"sk": "EVENT#e-1", "time": "2026-11-02T08:00:00Z",
                      "ttl": EPOCH + 35 * 86400}
    entry = items.journey_entry("cart", "x1", until=NOW + timedelta(hours=2),
                                kept_until=NOW + timedelta(days=7), version="v1", name="x1")
    assert entry["sk"] == "ENTRY#cart#x1" and entry["journey"] == "cart"
    assert entry["until"] == "2026-11-02T11:00:00Z" and entry["ttl"] == EPOCH + 7 * 86400
    wait = items.wait("cart", "x1", "paid", until=NOW + timedelta(hours=1), token="t")
    assert (wait["sk"], wait["step"], wait["token"]) == ("WAIT#cart#x1#paid", "paid", "t")
    assert wait["ttl"] == EPOCH + 3600 and wait["until"] == "2026-11-02T10:00:00Z"
    message = items.message(execution="x1", step="s", now=NOW, ttl_seconds=60, status="sent")
    assert message == {"sk": "MSG#x1#s", "kind": "message", "status": "sent", "step": "s",
                       "execution": "x1", "at": "2026-11-02T09:00:00Z", "ttl": EPOCH + 60}


def test_log_items_of_steps() -> None:
    assigned = items.step_log(kind="assigned", journey="j", execution="x1", step="ab",
                              reason="variant 1 of 2", now=NOW, ttl_seconds=10, variant="A")
    assert assigned == {"sk": "LOG#x1#ab#assigned", "kind": "assigned", "journey": "j",
                        "execution": "x1", "reason": "variant 1 of 2", "step": "ab",
                        "variant": "A", "at": "2026-11-02T09:00:00Z", "ttl": EPOCH + 10}
    deferred = items.timed_step_log(kind="deferred", tail="deferred", journey="j",
                                    execution="x1", step="s", reason="quiet hours",
                                    at="2026-11-02T20:00:00Z", now=NOW, ttl_seconds=10)
    assert deferred["sk"] == "LOG#2026-11-02T09:00:00Z#x1#s#deferred"
    assert deferred["at"] == "2026-11-02T20:00:00Z" and "step" not in deferred


def test_items_read_back_into_the_customers_state() -> None:
    written = [items.profile({"tier": {"v": "gold", "at": "t"}}, 1),
               items.consent("email", "marketing", granted=True, at="t", received_at="t",
                             source="form", by="shop", event_id="e-1"),
               items.suppression("email", "bounce", {"at": "t"}, []),
               items.cap_counter("marketing", "any", [EPOCH], 1),
               items.message(execution="x1", step="s", now=NOW, ttl_seconds=60),
               items.journey_entry("cart", "x1", until=NOW, kept_until=NOW),
               items.recent_events("cart_updated", [], 1),
               items.event_marker("e-1", "t", NOW, timedelta(days=1)),
               items.wait("cart", "x1", "paid", until=NOW)]
    state = CustomerState.from_items("ana", written)
    assert state.attribute("tier") == "gold" and state.consent_granted("email", "marketing")
    assert set(state.suppressions) == {"email"} and set(state.caps) == {("marketing", "any")}
    assert set(state.messages) == {"MSG#x1#s"} and set(state.entries) == {"ENTRY#cart#x1"}
    assert set(state.last_events) == {"cart_updated"} and state.seen_events == {"e-1"}
    assert set(state.waits) == {"WAIT#cart#x1#paid"}
    assert items.address_fingerprint(" Ana@Example.com ") == items.address_fingerprint(
        "ana@example.com")


def test_a_versioned_item_moves_one_version_on_with_its_changes() -> None:
    cap = items.cap_counter("marketing", "any", [EPOCH - 60, EPOCH], 4)
    assert items.next_version(cap, sends=[EPOCH - 60]) == {
        "sk": "CAP#marketing#any", "sends": [EPOCH - 60], "version": 5}
    assert items.next_version({"sk": "PROFILE", "attrs": {}})["version"] == 1
