"""What readers get from stored values: DynamoDB's Decimals as int or float, at every depth,
in fresh maps and lists (tact.customer.plain), whatever mapping or sequence types hold them."""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal
from typing import Any

from tact.customer import CustomerState, plain


class Money(Decimal):
    pass


def test_numbers_become_int_when_whole_and_float_otherwise_at_every_depth() -> None:
    stored = {"n": Decimal("2"), "n0": Decimal("2.0"), "f": Decimal("19.99"), "s": "x",
              "b": True, "none": None,
              "l": [Decimal("1"), "y", {"deep": [Decimal("0.5"), Money("3")]}],
              "od": OrderedDict(a=Decimal("7")), "t": ("kept", Decimal("1"))}
    got = plain(stored)
    assert got == {"n": 2, "n0": 2, "f": 19.99, "s": "x", "b": True, "none": None,
                   "l": [1, "y", {"deep": [0.5, 3]}], "od": {"a": 7},
                   "t": ("kept", Decimal("1"))}  # tuples are not DynamoDB values: left alone
    assert type(got["n"]) is int and type(got["f"]) is float
    assert type(got["l"][2]["deep"][1]) is int and type(got["od"]) is dict


def test_plain_values_are_fresh_maps_and_lists() -> None:
    stored: dict[str, Any] = {"events": [{"data": {"items": [{"sku": "a"}]}}]}
    got = plain(stored)
    got["events"][0]["data"]["items"].append("changed")
    got["events"].clear()
    assert stored == {"events": [{"data": {"items": [{"sku": "a"}]}}]}


def test_a_state_sorts_items_by_kind_and_reads_plain_attributes() -> None:
    state = CustomerState.from_items("ana", [
        {"sk": "CAP#marketing#any", "sends": [Decimal(1)]},
        {"sk": "CONSENT#email#marketing", "granted": True},
        {"sk": "EVENT#e1"}, {"sk": "EVENT#e#2"},
        {"sk": "LAST#purchase_completed", "events": [{"id": "e1", "v": Decimal("1.5")}]},
        {"sk": "LOG#2026-11-02T00:00:00Z#e1#0"},
        {"sk": "PROFILE", "version": Decimal(3),
         "attrs": {"total": {"v": Decimal("12.50"), "at": "t"}}},
    ])
    assert state.seen_events == {"e1", "e#2"}
    assert set(state.caps) == {("marketing", "any")}
    assert state.consent_granted("email", "marketing")
    assert state.attributes() == {"total": 12.5} and state.profile_version() == 3
    assert state.recent_events("purchase_completed") == [{"id": "e1", "v": 1.5}]
