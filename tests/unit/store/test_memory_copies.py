"""The in-memory store hands out and keeps values no one else holds (its copies are made by
each item's shape, found once at write, not by looking at every value). For any item:
a read is the item as DynamoDB would hold it, no map or list of a read is shared with another
read or with the store, and neither a reader nor the writer changing theirs changes the store."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tact.store.base import Put
from tact.store.memory import MemoryStore

NOW = datetime(2026, 11, 2, tzinfo=UTC)

scalars = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.text(max_size=3)
           | st.floats(allow_nan=False, allow_infinity=False)
           | st.decimals(allow_nan=False, allow_infinity=False, places=2))
values = st.recursive(
    scalars,
    lambda inner: (st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple)
                   | st.dictionaries(st.text(max_size=3), inner, max_size=4)),
    max_leaves=25)
items = st.dictionaries(st.text(min_size=1, max_size=3).filter(lambda k: k not in ("sk", "pk",
                                                                                    "ttl")),
                        values, max_size=5)


def as_dynamodb_holds_it(value: Any) -> Any:
    """Every number a Decimal (a float by its text), every sequence a list."""
    if isinstance(value, dict):
        return {k: as_dynamodb_holds_it(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_dynamodb_holds_it(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str | Decimal):
        return value
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def containers(value: Any) -> list[Any]:
    found = [value] if isinstance(value, dict | list) else []
    for inner in (value.values() if isinstance(value, dict) else
                  value if isinstance(value, list) else ()):
        found += containers(inner)
    return found


def wipe(value: Any) -> None:
    """What a careless holder could do: empty every map and list it has, deepest first."""
    for inner in reversed(containers(value)):
        inner.clear()


@settings(max_examples=300, deadline=None)
@given(items, items)
def test_reads_are_the_items_as_stored_and_share_nothing(first: dict[str, Any],
                                                         second: dict[str, Any]) -> None:
    store = MemoryStore()
    written = [{"sk": "A", **first}, {"sk": "B", **second}]
    expected = [{**as_dynamodb_holds_it(item), "pk": "C#ana"} for item in written]
    store.write("ana", [Put(item) for item in written])
    wipe(written)  # the writer's own values: the store kept none of them
    one, other = store.read_customer("ana", NOW), store.read_customer("ana", NOW)
    assert repr(one) == repr(expected)  # repr: Decimal("1"), 1 and True differ
    assert not {id(c) for c in containers(one)} & {id(c) for c in containers(other)}
    wipe(one)
    assert repr(other) == repr(expected)
    assert repr(store.read_customer("ana", NOW)) == repr(expected)


def test_a_map_keyed_by_other_than_text_is_copied_like_any_other() -> None:
    # DynamoDB names map keys with text; the in-memory store takes others as they come, and
    # no key may read as its own marker of "every value a flat map or list" (the first item).
    store = MemoryStore()
    store.write("ana", [Put({"sk": "A", "attrs": {"a": {"v": 1}}})])
    store.write("ana", [Put({"sk": "B", "attrs": {None: {"v": 1}, "b": 2}})])
    got = store.read_customer("ana", NOW)[1]["attrs"]
    assert got == {None: {"v": Decimal(1)}, "b": Decimal(2)}
