"""An in-memory store with the same semantics as the DynamoDB one (pinned by contract tests).

Used for backtests and large simulations, where moto's per-call cost (it copies the whole
table on every transaction) would make runs quadratic. What DynamoDB does to values, this
does too: numbers come back as ``Decimal``, the lifecycle index projects keys only, a
version condition on an item without a version fails, and one transaction may not touch
the same item twice.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from tact.store.base import Check, ConditionFailed, IndexQuery, Item, Page, Put, ScanSegment, Write
from tact.store.keys import PK_PREFIX, PROFILE, pk

INDEX_KEYS = ("pk", "sk", "gsi1pk", "gsi1sk")  # the index's KEYS_ONLY projection


class InvalidTransaction(ValueError):
    """A request DynamoDB rejects outright (ValidationException), never a lost condition."""


# Where a copy of a stored value must go deeper: (key or index, its own shape) for each map or
# list inside it, () for a value holding none. Found once when the item is written, so a read
# copies each map and list at C speed and never looks at a scalar.
Shape = tuple[tuple[Any, "Shape"], ...]
# A stored item, its shape, and its expiry in whole epoch seconds (``live`` in tact.store.base:
# the second the TTL names is already expired; no TTL: never).
_Stored = tuple[Item, Shape, Any]
_NEVER = 2**63


class MemoryStore:
    def __init__(self) -> None:
        self._partitions: dict[str, dict[str, _Stored]] = {}
        self._lock = threading.Lock()
        self._shapes: dict[Shape, Shape] = {}

    def read_customer(self, customer_id: str, now: datetime, *, copy: bool = True) -> list[Item]:
        """``copy=False`` is for readers that only look (a finished run's report): they get
        the stored items themselves and must not change them."""
        epoch = int(now.timestamp())
        with self._lock:
            part = self._partitions.get(pk(customer_id))
            if not part:
                return []
            items = []
            for sk in sorted(part):
                item, shape, expires = part[sk]
                if expires > epoch:  # most items hold no map or list: copied here at once
                    items.append((_copy(item, shape) if shape else item.copy()) if copy else item)
            return items

    def write(self, customer_id: str, writes: Sequence[Write]) -> None:
        key = pk(customer_id)
        sort_keys = [w.item["sk"] if isinstance(w, Put) else w.sk for w in writes]
        if len(writes) == 1 and isinstance(writes[0], Check):
            raise InvalidTransaction("a condition check needs a write beside it")
        if len(set(sort_keys)) != len(sort_keys):
            raise InvalidTransaction("a transaction cannot include two writes of the same item")
        # Stored values are built (and numbers converted) before the lock: a failure in
        # conversion must leave nothing half-written either.
        stored = [self._entry(w.item, key) if isinstance(w, Put) else None for w in writes]
        with self._lock:
            part = self._partitions.setdefault(key, {})
            reasons = [None if w.expect is None else _check(_item(part.get(sk)), w.expect)
                       for sk, w in zip(sort_keys, writes, strict=True)]
            if any(reasons):
                if len(writes) == 1:
                    raise ConditionFailed(["ConditionalCheckFailed"])
                raise ConditionFailed([r or "None" for r in reasons])
            for sk, entry, w in zip(sort_keys, stored, writes, strict=True):
                if isinstance(w, Check):
                    continue
                if entry is None:
                    part.pop(sk, None)
                else:
                    part[sk] = entry

    def _entry(self, item: Item, key: str) -> _Stored:
        stored, found = _stored_value(item)
        stored["pk"] = key  # a fresh dict: set in place, no second copy
        # Items of a kind mostly share their shape: one tuple kept for all of them.
        shape = self._shapes.setdefault(found, found) if found else ()
        return stored, shape, _expiry(stored.get("ttl"))

    def query_index(self, query: IndexQuery, cursor: Any = None) -> Page:
        with self._lock:
            rows = [
                {k: item[k] for k in INDEX_KEYS}
                for part in self._partitions.values()
                for item, _, _ in part.values()
                if item.get("gsi1pk") == query.index_pk
                and isinstance(item.get("gsi1sk"), str)
                and query.sk_from <= item["gsi1sk"] <= query.sk_to
            ]
        rows.sort(key=lambda i: (i["gsi1sk"], i["pk"], i["sk"]))
        start = cursor or 0
        end = len(rows) if query.limit is None else start + query.limit
        return Page(rows[start:end], end if end < len(rows) else None)

    def scan_profiles(self, scan: ScanSegment, cursor: Any = None) -> Page:
        with self._lock:
            keys = sorted(k for k in self._partitions if scan_segment_of(k, scan.total)
                          == scan.segment and PROFILE in self._partitions[k])
            start = cursor or 0
            end = len(keys) if scan.limit is None else start + scan.limit
            rows = [{**_copy(*self._partitions[k][PROFILE][:2]),
                     "customer_id": k.removeprefix(PK_PREFIX)} for k in keys[start:end]]
        return Page(rows, end if end < len(keys) else None)

    def scan_items(self, scan: ScanSegment, sort_keys: tuple[str, ...],
                   cursor: Any = None) -> Page:
        with self._lock:
            rows = [{**_copy(*part[sk][:2]), "customer_id": key.removeprefix(PK_PREFIX)}
                    for key, part in sorted(self._partitions.items())
                    if scan_segment_of(key, scan.total) == scan.segment
                    for sk in sorted(part) if sk in sort_keys]
        start = cursor or 0
        end = len(rows) if scan.limit is None else start + scan.limit
        return Page(rows[start:end], end if end < len(rows) else None)

    def customers(self) -> list[str]:
        return [key.removeprefix(PK_PREFIX) for key in self._partitions]

    def item_count(self) -> int:
        return sum(len(p) for p in self._partitions.values())


def scan_segment_of(partition_key: str, total: int) -> int:
    """A partition's segment, from a hash of its key, as DynamoDB assigns them."""
    import hashlib

    digest = hashlib.sha256(partition_key.encode()).digest()
    return int.from_bytes(digest[:8], "big") % total


def _check(current: Item | None, expect: Any) -> str | None:
    if isinstance(expect, dict):  # a Check: present, holding these values
        same = current is not None and all(current.get(k) == _stored(v)
                                           for k, v in expect.items())
        return None if same else "ConditionalCheckFailed"
    if expect is None:
        return None
    if expect == "absent":
        return "ConditionalCheckFailed" if current is not None else None
    if expect == "present":
        return None if current is not None else "ConditionalCheckFailed"
    if current is None:
        # DynamoStore: expect 0 is "attribute_not_exists(pk) OR version = 0".
        return None if expect == 0 else "ConditionalCheckFailed"
    # A present item without a version never equals a number (DynamoDB's #v = :v).
    version = current.get("version")
    return None if version is not None and version == expect else "ConditionalCheckFailed"


def _stored(value: Any) -> Any:
    """A copy as DynamoDB would hold it: every number a Decimal (floats via their text)."""
    return _stored_value(value)[0]


def _stored_value(value: Any) -> tuple[Any, Shape | None]:
    """The stored form of a value and, for a map or list, its shape (None: a scalar)."""
    kind = type(value)  # exact types first: this runs on every number, map and list written
    values: Iterable[tuple[Any, Any]]
    if kind is dict:
        stored: Any = dict(value)  # at C speed; then only what DynamoDB holds otherwise
        values = value.items()
    elif kind is list or kind is tuple:
        stored = list(value)
        values = enumerate(value)
    elif kind is float:
        return Decimal(str(value)), None
    elif kind is int:
        return Decimal(value), None
    elif isinstance(value, dict):
        stored, values = dict(value), value.items()
    elif isinstance(value, bool | str | Decimal) or value is None:
        return value, None
    elif isinstance(value, int):
        return Decimal(int(value)), None
    elif isinstance(value, float):
        return Decimal(str(float(value))), None
    else:
        raise TypeError(f"unsupported type for the store: {type(value).__name__}")
    shape: Shape = ()
    flat = 0  # maps and lists in it that hold none themselves
    for key, inner_value in values:
        if type(inner_value) not in _AS_IS:  # text, Decimals, flags, nulls: stored as they are
            stored[key], inner = _stored_value(inner_value)
            if inner is not None:
                shape += ((key, inner),)
                flat += not inner
    return stored, _ALL_FLAT if flat and flat == len(stored) else shape


_AS_IS = frozenset({str, Decimal, bool, type(None)})
# The shape of a map or list holding only maps and lists of scalars (a profile's attributes, a
# consent's history): copied in one comprehension. Marked by an object no key can be.
_ALL_FLAT: Shape = ((object(), ()),)


def _expiry(ttl: Any) -> Any:
    """The whole second from which the item is expired, as ``live`` reckons it."""
    if ttl is None:
        return _NEVER
    try:
        return int(ttl)
    except (TypeError, ValueError, OverflowError):
        return ttl  # not a number: a read compares it and fails, as DynamoStore's does


def _item(stored: _Stored | None) -> Item | None:
    return None if stored is None else stored[0]


def _copy(value: Any, shape: Shape) -> Any:
    """A reader's own copy of a stored map or list: each map and list in it copied, the
    scalars (immutable) shared."""
    if shape is _ALL_FLAT:
        if type(value) is dict:
            return {key: inner.copy() for key, inner in value.items()}
        return [inner.copy() for inner in value]
    fresh = value.copy()
    for key, inner in shape:
        fresh[key] = _copy(value[key], inner) if inner else value[key].copy()
    return fresh
