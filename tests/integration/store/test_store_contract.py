"""The store contract: what the product relies on from storage, run against both stores.

DynamoStore runs on moto (the reference for DynamoDB's behaviour); MemoryStore must behave
the same, or backtests would not predict what the deployed journeys do. A new operation of
the data-access layer gets its contract test here, for both stores at once.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tact.customer import CustomerState
from tact.store.base import ConditionFailed, CustomerStore, Delete, IndexQuery, Put
from tact.store.dynamodb import DynamoStore
from tact.store.keys import cap_key, consent_key, msg_key, suppression_key
from tact.store.memory import MemoryStore

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
EPOCH = int(NOW.timestamp())
TABLE = "tact-contract"


@pytest.fixture(params=["dynamodb", "memory"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if request.param == "memory":
        yield MemoryStore()
        return
    import boto3
    from moto import mock_aws

    from tact.store.schema import create_table

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        resource = boto3.resource("dynamodb", region_name="us-east-1")
        create_table(resource.meta.client, TABLE)
        yield DynamoStore(TABLE, client=resource.meta.client)


def sks(store: CustomerStore, customer: str = "ana", now: datetime = NOW) -> list[str]:
    return [i["sk"] for i in store.read_customer(customer, now)]


def item(store: CustomerStore, sk: str, customer: str = "ana") -> dict[str, Any] | None:
    return next((i for i in store.read_customer(customer, NOW) if i["sk"] == sk), None)


# --- reading a partition ---------------------------------------------------------------

def test_unknown_customer_reads_empty(store: CustomerStore) -> None:
    assert store.read_customer("nobody", NOW) == []


def test_items_come_back_in_sort_key_order_with_partition_key(store: CustomerStore) -> None:
    keys = ["PROFILE", "CAP#marketing#any", "MSG#e1#r1", "CONSENT#email#marketing", "LAST#x",
            "ENTRY#j#e1", "EVENT#a", "EVENT#B", "LOG#2026-11-02T09:00:00Z#a#0"]
    store.write("ana", [Put({"sk": k}) for k in keys[:5]])
    store.write("ana", [Put({"sk": k}) for k in keys[5:]])
    items = store.read_customer("ana", NOW)
    assert [i["sk"] for i in items] == sorted(keys)  # byte order: "EVENT#B" < "EVENT#a"
    assert {i["pk"] for i in items} == {"C#ana"}


def test_customers_are_separate_partitions(store: CustomerStore) -> None:
    store.write("ana", [Put({"sk": "PROFILE", "n": 1})])
    store.write("bo", [Put({"sk": "PROFILE", "n": 2})])
    assert [i["n"] for i in store.read_customer("ana", NOW)] == [1]
    assert [i["n"] for i in store.read_customer("bo", NOW)] == [2]


def test_expired_items_are_not_returned(store: CustomerStore) -> None:
    store.write("ana", [
        Put({"sk": "MSG#old", "ttl": EPOCH - 1}),
        Put({"sk": "MSG#now", "ttl": EPOCH}),  # expires at its ttl second
        Put({"sk": "MSG#later", "ttl": EPOCH + 1}),
        Put({"sk": "PROFILE"}),  # no ttl: lives for ever
    ])
    assert sks(store) == ["MSG#later", "PROFILE"]
    assert sks(store, now=NOW - timedelta(seconds=10)) == ["MSG#later", "MSG#now", "MSG#old",
                                                            "PROFILE"]


def test_expired_item_still_blocks_an_absent_condition(store: CustomerStore) -> None:
    # DynamoDB deletes expired items lazily: until then they exist for conditions.
    store.write("ana", [Put({"sk": "MSG#e#s", "ttl": EPOCH - 100})])
    with pytest.raises(ConditionFailed):
        store.write("ana", [Put({"sk": "MSG#e#s", "ttl": EPOCH + 100}, expect="absent")])


def test_reads_are_copies(store: CustomerStore) -> None:
    store.write("ana", [Put({"sk": "PROFILE", "attrs": {"tier": {"v": "gold"}}})])
    first = store.read_customer("ana", NOW)[0]
    first["attrs"]["tier"]["v"] = "changed by a caller"
    assert store.read_customer("ana", NOW)[0]["attrs"]["tier"]["v"] == "gold"


def recent(purchases: int) -> dict[str, Any]:
    """A LAST item as ingest writes it: maps in a list in a map, numbers at every depth."""
    return {"sk": "LAST#purchase_completed", "version": 1, "events": [
        {"id": f"o{n}", "time": f"2026-11-0{n + 1}T10:00:00Z", "data": {
            "value": 19.99 + n, "items": [{"sku": "a", "price": 9.5, "quantity": 2},
                                         {"sku": "b", "tags": ["x", "y"]}]}}
        for n in range(purchases)]}


def test_a_reader_changing_what_it_read_at_any_depth_changes_nothing(
        store: CustomerStore) -> None:
    store.write("ana", [Put(recent(2)), Put({"sk": "MSG#e#s", "notes": ["a"], "n": 1}),
                        Put({"sk": "PROFILE", "attrs": {"a": {"v": 1}, "b": {"v": [2]}},
                             "history": [{"granted": True}, {"granted": False}]})])
    before = copy.deepcopy(store.read_customer("ana", NOW))
    last, msg, profile = store.read_customer("ana", NOW)
    profile["attrs"]["a"]["v"] = 0
    profile["attrs"]["b"]["v"].append(3)
    profile["attrs"]["c"] = {}
    profile["history"][1]["granted"] = True
    profile["history"].append({})
    last["version"] = 99
    last["events"][0]["data"]["items"][0]["price"] = Decimal(0)
    last["events"][0]["data"]["items"][1]["tags"].append("z")
    last["events"][1]["data"].clear()
    last["events"].append({"id": "injected"})
    msg["notes"].append("b")
    del msg["n"]
    assert store.read_customer("ana", NOW) == before


def test_two_reads_never_share_a_value_a_reader_could_change(store: CustomerStore) -> None:
    store.write("ana", [Put(recent(1))])
    first, second = (store.read_customer("ana", NOW)[0] for _ in range(2))
    first["events"][0]["data"]["items"].pop()
    assert len(second["events"][0]["data"]["items"]) == 2


def test_a_writer_changing_its_item_after_the_write_changes_nothing(
        store: CustomerStore) -> None:
    written = recent(1)
    store.write("ana", [Put(written)])
    written["events"][0]["data"]["items"][0]["price"] = 0
    written["events"].clear()
    got = item(store, "LAST#purchase_completed")
    assert got is not None and got["events"][0]["data"]["items"][0]["price"] == Decimal("9.5")


def test_an_item_rewritten_in_the_same_second_reads_as_last_written(
        store: CustomerStore) -> None:
    # Same key, same second, other shapes: a map where a list was, a scalar where a map was.
    store.write("ana", [Put(recent(2))])
    store.write("ana", [Put({"sk": "LAST#purchase_completed", "version": 2,
                             "events": {"o1": [1, {"x": 2}]}})])
    store.write("ana", [Put({"sk": "PROFILE", "attrs": {"tier": {"v": "gold"}}})])
    store.write("ana", [Put({"sk": "PROFILE", "attrs": "none"})])
    last, profile = store.read_customer("ana", NOW)
    assert last["events"] == {"o1": [Decimal(1), {"x": Decimal(2)}]}
    assert profile["attrs"] == "none"
    last["events"]["o1"][1]["x"] = 0
    assert item(store, "LAST#purchase_completed")["events"]["o1"][1] == {  # type: ignore[index]
        "x": Decimal(2)}


def test_expiry_follows_the_item_as_last_written(store: CustomerStore) -> None:
    store.write("ana", [Put({"sk": "WAIT#j#e#s", "ttl": EPOCH + 1})])
    assert sks(store) == ["WAIT#j#e#s"]
    assert sks(store, now=NOW + timedelta(seconds=1)) == []  # the ttl's own second: expired
    store.write("ana", [Put({"sk": "WAIT#j#e#s", "ttl": EPOCH})])  # moved earlier
    assert sks(store) == []
    store.write("ana", [Put({"sk": "WAIT#j#e#s"})])  # rewritten without a ttl: lives for ever
    assert sks(store, now=NOW + timedelta(days=3650)) == ["WAIT#j#e#s"]


def test_a_failed_transaction_leaves_every_item_and_its_expiry_as_it_was(
        store: CustomerStore) -> None:
    store.write("ana", [Put({"sk": "WAIT#j#e#s", "ttl": EPOCH + 100, "n": 1}),
                        Put({"sk": "PROFILE", "version": 1, "attrs": {"a": {"v": 1}}})])
    with pytest.raises(ConditionFailed):
        store.write("ana", [Put({"sk": "WAIT#j#e#s", "ttl": EPOCH - 100, "n": 2}),
                            Put({"sk": "PROFILE", "version": 2, "attrs": {"a": [1]}},
                                expect=0)])  # stale version: all or nothing
    with pytest.raises(TypeError):  # a value no store can hold, in the second write
        store.write("ana", [Put({"sk": "WAIT#j#e#s", "ttl": EPOCH - 100, "n": 3}),
                            Put({"sk": "MSG#e#s", "bad": object()})])
    assert store.read_customer("ana", NOW) == [
        {"pk": "C#ana", "sk": "PROFILE", "version": Decimal(1), "attrs": {"a": {"v": Decimal(1)}}},
        {"pk": "C#ana", "sk": "WAIT#j#e#s", "ttl": Decimal(EPOCH + 100), "n": Decimal(1)}]


def test_scans_hand_out_copies_too(store: CustomerStore) -> None:
    from tact.store.base import ScanSegment

    store.write("ana", [Put({"sk": "PROFILE", "attrs": {"tier": {"v": "gold"}}}), Put(recent(1))])
    profile = store.scan_profiles(ScanSegment(0, 1)).items[0]
    profile["attrs"]["tier"]["v"] = "changed"
    last = store.scan_items(ScanSegment(0, 1), ("LAST#purchase_completed",)).items[0]
    last["events"][0]["data"]["items"].clear()
    got = store.read_customer("ana", NOW)
    assert got[0]["events"][0]["data"]["items"][0]["sku"] == "a"
    assert got[1]["attrs"]["tier"]["v"] == "gold"


# --- values ----------------------------------------------------------------------------

def test_numbers_come_back_as_decimal(store: CustomerStore) -> None:
    store.write("ana", [Put({"sk": "PROFILE", "price": 19.99, "count": 3, "flag": True,
                             "none": None, "nested": {"l": [1.5, "x", 2]},
                             "exact": Decimal("0.10")})])
    got = item(store, "PROFILE")
    assert got is not None
    assert got["price"] == Decimal("19.99") and isinstance(got["price"], Decimal)
    assert got["count"] == Decimal(3) and isinstance(got["count"], Decimal)
    assert got["flag"] is True and got["none"] is None
    assert got["nested"] == {"l": [Decimal("1.5"), "x", Decimal(2)]}
    assert got["exact"] == Decimal("0.10")


def test_customer_state_reads_plain_numbers_from_either_store(store: CustomerStore) -> None:
    store.write("ana", [Put({"sk": "PROFILE", "version": 1, "attrs": {
        "total_spent": {"v": 120.5, "at": "2026-11-01T00:00:00Z"},
        "order_count": {"v": 2, "at": "2026-11-01T00:00:00Z"}}})])
    state = CustomerState.from_items("ana", store.read_customer("ana", NOW))
    assert state.attributes() == {"total_spent": 120.5, "order_count": 2}
    assert state.profile_version() == 1


# --- consent and suppression -------------------------------------------------------------

def test_consent_and_suppression_reads(store: CustomerStore) -> None:
    store.write("ana", [
        Put({"sk": consent_key("email", "marketing"), "granted": True, "at": "t1"}),
        Put({"sk": consent_key("sms", "marketing"), "granted": False, "at": "t1"}),
        Put({"sk": suppression_key("sms"), "reason": "complaint"}),
    ])
    state = CustomerState.from_items("ana", store.read_customer("ana", NOW))
    assert state.consent_granted("email", "marketing")
    assert not state.consent_granted("sms", "marketing")
    assert not state.consent_granted("push", "marketing")  # never asked: no consent
    assert set(state.suppressions) == {"sms"}


def test_a_consent_withdrawal_is_visible_to_the_next_read(store: CustomerStore) -> None:
    key = consent_key("email", "marketing")
    store.write("ana", [Put({"sk": key, "granted": True})])
    store.write("ana", [Put({"sk": key, "granted": False})])
    state = CustomerState.from_items("ana", store.read_customer("ana", NOW))
    assert not state.consent_granted("email", "marketing")


# --- conditional cap reservation (optimistic versions) ------------------------------------

CAP = cap_key("marketing", "any")


def reserve(store: CustomerStore, sends: list[int], version: int) -> None:
    store.write("ana", [Put({"sk": CAP, "sends": sends, "version": version + 1}, expect=version)])


def test_first_cap_reservation_expects_version_zero(store: CustomerStore) -> None:
    reserve(store, [EPOCH], 0)
    assert item(store, CAP)["version"] == 1  # type: ignore[index]


def test_cap_reservation_with_a_stale_version_fails(store: CustomerStore) -> None:
    reserve(store, [EPOCH], 0)
    with pytest.raises(ConditionFailed):
        reserve(store, [EPOCH, EPOCH + 1], 0)  # a concurrent send read version 0 too
    got = item(store, CAP)
    assert got is not None and got["version"] == 1 and got["sends"] == [EPOCH]


def test_cap_reservation_with_the_current_version_wins(store: CustomerStore) -> None:
    reserve(store, [EPOCH], 0)
    reserve(store, [EPOCH, EPOCH + 1], 1)
    with pytest.raises(ConditionFailed):
        reserve(store, [EPOCH + 2], 1)
    assert item(store, CAP)["sends"] == [EPOCH, EPOCH + 1]  # type: ignore[index]


def test_version_expectation_on_missing_item_fails_unless_zero(store: CustomerStore) -> None:
    with pytest.raises(ConditionFailed):
        reserve(store, [EPOCH], 3)
    assert item(store, CAP) is None


def test_version_expectation_on_item_without_version_fails(store: CustomerStore) -> None:
    store.write("ana", [Put({"sk": CAP, "sends": []})])
    with pytest.raises(ConditionFailed):
        reserve(store, [EPOCH], 0)


def test_only_one_of_two_racing_reservations_lands(store: CustomerStore) -> None:
    reserve(store, [EPOCH - 60], 0)
    seen = CustomerState.from_items("ana", store.read_customer("ana", NOW)).caps[("marketing",
                                                                                  "any")]
    version = int(seen["version"])
    outcomes = []
    for n in range(2):  # both decided on the same read
        try:
            store.write("ana", [Put({"sk": msg_key("e", f"s{n}"), "status": "sent"},
                                    expect="absent"),
                                Put({"sk": CAP, "sends": [EPOCH - 60, EPOCH + n],
                                     "version": version + 1}, expect=version)])
            outcomes.append("won")
        except ConditionFailed:
            outcomes.append("lost")
    assert outcomes == ["won", "lost"]
    assert sks(store) == [CAP, msg_key("e", "s0")]


# --- idempotent message record -------------------------------------------------------------

def test_message_record_is_written_once(store: CustomerStore) -> None:
    key = msg_key("exec-1", "reminder_1")
    store.write("ana", [Put({"sk": key, "status": "sent", "at": "first"}, expect="absent")])
    with pytest.raises(ConditionFailed):
        store.write("ana", [Put({"sk": key, "status": "sent", "at": "second"}, expect="absent")])
    assert item(store, key)["at"] == "first"  # type: ignore[index]


def test_amend_requires_the_record_to_exist(store: CustomerStore) -> None:
    key = msg_key("exec-1", "reminder_1")
    with pytest.raises(ConditionFailed):
        store.write("ana", [Put({"sk": key, "status": "unknown"}, expect="present")])
    store.write("ana", [Put({"sk": key, "status": "sent"}, expect="absent")])
    store.write("ana", [Put({"sk": key, "status": "unknown"}, expect="present")])
    assert item(store, key)["status"] == "unknown"  # type: ignore[index]


def test_delete_conditions(store: CustomerStore) -> None:
    with pytest.raises(ConditionFailed):
        store.write("ana", [Delete("MSG#x#y", expect="present")])
    store.write("ana", [Delete("MSG#x#y")])  # unconditional delete of nothing is fine
    store.write("ana", [Put({"sk": "MSG#x#y", "version": 2})])
    with pytest.raises(ConditionFailed):
        store.write("ana", [Delete("MSG#x#y", expect=1)])
    store.write("ana", [Delete("MSG#x#y", expect=2)])
    assert sks(store) == []


# --- transactions: all or nothing ---------------------------------------------------------

def test_one_failing_condition_writes_nothing(store: CustomerStore) -> None:
    store.write("ana", [Put({"sk": "MSG#e#s1", "status": "sent"}),
                        Put({"sk": "ENTRY#j#e", "n": 1})])
    with pytest.raises(ConditionFailed) as failed:
        store.write("ana", [
            Put({"sk": "PROFILE", "n": 1}),  # unconditional: would succeed alone
            Delete("ENTRY#j#e"),
            Put({"sk": CAP, "sends": [EPOCH], "version": 1}, expect=0),
            Put({"sk": "MSG#e#s1", "status": "again"}, expect="absent"),  # fails
        ])
    assert failed.value.reasons[3] == "ConditionalCheckFailed"
    assert failed.value.reasons[0] == "None"
    assert sks(store) == ["ENTRY#j#e", "MSG#e#s1"]
    assert item(store, "MSG#e#s1")["status"] == "sent"  # type: ignore[index]


def test_a_transaction_writes_everything_when_all_conditions_hold(store: CustomerStore) -> None:
    store.write("ana", [Put({"sk": "ENTRY#j#e", "n": 1})])
    store.write("ana", [Put({"sk": "PROFILE", "version": 1}, expect=0), Delete("ENTRY#j#e"),
                        Put({"sk": "MSG#e#s", "status": "sent"}, expect="absent")])
    assert sks(store) == ["MSG#e#s", "PROFILE"]


def test_the_same_item_twice_in_one_transaction_is_refused(store: CustomerStore) -> None:
    with pytest.raises(Exception) as raised:  # DynamoDB: ValidationException
        store.write("ana", [Put({"sk": "PROFILE", "n": 1}), Put({"sk": "PROFILE", "n": 2})])
    assert not isinstance(raised.value, ConditionFailed)
    assert sks(store) == []


# --- the lifecycle index ------------------------------------------------------------------

def index_item(sk: str, when: str) -> dict[str, Any]:
    return {"sk": sk, "gsi1pk": "LAPSE", "gsi1sk": when, "payload": "not projected"}


def test_index_query_order_range_and_projection(store: CustomerStore) -> None:
    store.write("ana", [Put(index_item("PROFILE", "2026-11-03T00:00:00Z"))])
    store.write("bo", [Put(index_item("PROFILE", "2026-11-01T00:00:00Z"))])
    store.write("cy", [Put(index_item("PROFILE", "2026-11-09T00:00:00Z"))])  # out of range
    store.write("di", [Put({"sk": "PROFILE", "gsi1pk": "OTHER", "gsi1sk": "2026-11-02"})])
    store.write("ed", [Put({"sk": "PROFILE"})])  # not in the sparse index
    page = store.query_index(IndexQuery("LAPSE", "2026-11-01T00:00:00Z", "2026-11-05"))
    assert [(i["pk"], i["gsi1sk"]) for i in page.items] == [
        ("C#bo", "2026-11-01T00:00:00Z"), ("C#ana", "2026-11-03T00:00:00Z")]
    assert all(set(i) == {"pk", "sk", "gsi1pk", "gsi1sk"} for i in page.items)  # KEYS_ONLY
    assert page.cursor is None


def test_index_query_pages(store: CustomerStore) -> None:
    for n in range(7):
        store.write(f"c{n}", [Put(index_item("PROFILE", f"2026-11-0{7 - n}T00:00:00Z"))])
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = store.query_index(IndexQuery("LAPSE", "2026-11-01", "2026-11-30", limit=3),
                                 cursor)
        assert len(page.items) <= 3
        seen += [i["gsi1sk"][:10] for i in page.items]
        pages += 1
        if page.cursor is None:
            break
        cursor = page.cursor
        assert pages < 10
    assert seen == [f"2026-11-0{d}" for d in range(1, 8)]
    assert pages >= 3


@pytest.mark.parametrize("total", [1, 3, 7])
def test_a_parallel_scan_returns_every_profile_once_across_segments(
        store: CustomerStore, total: int) -> None:
    from tact.store.base import ScanSegment

    names = [f"c{n}" for n in range(12)]
    for name in names:
        store.write(name, [Put({"sk": "PROFILE", "attrs": {"timezone": {"v": "UTC"}}}),
                           Put({"sk": "CONSENT#email#marketing", "granted": True})])
    store.write("no-profile", [Put({"sk": "CONSENT#email#marketing", "granted": True})])
    seen: list[str] = []
    for segment in range(total):
        cursor = None
        while True:
            page = store.scan_profiles(ScanSegment(segment, total, limit=2), cursor)
            assert all(i["sk"] == "PROFILE" for i in page.items)
            seen += [i["customer_id"] for i in page.items]
            cursor = page.cursor
            if cursor is None:
                break
    assert sorted(seen) == sorted(names)


def test_a_scan_of_item_kinds_returns_each_once_with_its_customer(store: CustomerStore) -> None:
    from tact.store.base import ScanSegment

    for n in range(5):
        store.write(f"c{n}", [Put({"sk": "PROFILE", "attrs": {}}),
                              Put({"sk": "LAST#purchase_completed", "events": []}),
                              Put({"sk": "CONSENT#email#marketing", "granted": True})])
    seen: list[tuple[str, str]] = []
    for segment in range(2):
        cursor = None
        while True:
            page = store.scan_items(ScanSegment(segment, 2, limit=3),
                                    ("PROFILE", "LAST#purchase_completed"), cursor)
            seen += [(i["customer_id"], i["sk"]) for i in page.items]
            cursor = page.cursor
            if cursor is None:
                break
    assert sorted(seen) == sorted((f"c{n}", sk) for n in range(5)
                                  for sk in ("PROFILE", "LAST#purchase_completed"))


# --- condition checks (what the send re-checks in its transaction) ------------------------

def test_a_check_of_what_was_read_passes_and_writes_nothing(store: CustomerStore) -> None:
    from tact.store.base import Check

    store.write("ana", [Put({"sk": consent_key("email", "marketing"), "granted": True,
                             "version": 3})])
    store.write("ana", [Put({"sk": "MSG#e1#s1", "status": "sent"}, expect="absent"),
                        Check(consent_key("email", "marketing"), {"version": 3}),
                        Check(suppression_key("email"), "absent")])
    assert sks(store) == [consent_key("email", "marketing"), "MSG#e1#s1"]
    assert item(store, consent_key("email", "marketing")) == {
        "pk": "C#ana", "sk": consent_key("email", "marketing"), "granted": True,
        "version": Decimal(3)}


@pytest.mark.parametrize("check", ["changed", "appeared", "gone"])
def test_a_check_of_something_that_changed_fails_the_whole_transaction(
        store: CustomerStore, check: str) -> None:
    from tact.store.base import Check

    store.write("ana", [Put({"sk": consent_key("email", "marketing"), "granted": False,
                             "version": 4}),
                        Put({"sk": suppression_key("email"), "at": "t"})])
    checks = {
        "changed": Check(consent_key("email", "marketing"), {"version": 3}),
        "appeared": Check(suppression_key("email"), "absent"),
        "gone": Check("ENTRY#j#e1", {"until": "2026-11-03T00:00:00Z"}),
    }
    with pytest.raises(ConditionFailed):
        store.write("ana", [Put({"sk": "MSG#e1#s1", "status": "sent"}, expect="absent"),
                            checks[check]])
    assert item(store, "MSG#e1#s1") is None
