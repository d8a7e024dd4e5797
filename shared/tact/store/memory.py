"""An in-memory store with the same semantics as the DynamoDB one (pinned by contract tests).

Used for backtests and large simulations, where moto's per-call cost (it copies the whole
table on every transaction) would make runs quadratic. What DynamoDB does to values, this
does too: numbers come back as ``Decimal``, the lifecycle index projects keys only, a
version condition on an item without a version fails, and one transaction may not touch
the same item twice.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from tact.store.base import Check, ConditionFailed, IndexQuery, Item, Page, Put, ScanSegment, Write
from tact.store.keys import PK_PREFIX, PROFILE, pk

INDEX_KEYS = ("pk", "sk", "gsi1pk", "gsi1sk")  # the index's KEYS_ONLY projection


class InvalidTransaction(ValueError):
    """A request DynamoDB rejects outright (ValidationException), never a lost condition."""


# A stored item beside the keys of its nested values (maps and lists): a read copies the item
# and then only those, instead of looking at every value of every item it hands out.
_Stored = tuple[Item, tuple[str, ...]]


class MemoryStore:
    def __init__(self) -> None:
        self._partitions: dict[str, dict[str, _Stored]] = {}
        self._lock = threading.Lock()

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
                item, nested = part[sk]
                ttl = item.get("ttl")  # stored numbers are Decimal: compared directly
                if ttl is not None and ttl <= epoch:
                    continue
                if copy:
                    item = item.copy()
                    for key in nested:
                        item[key] = _copy(item[key])
                items.append(item)
            return items

    def write(self, customer_id: str, writes: Sequence[Write]) -> None:
        key = pk(customer_id)
        sort_keys = [w.item["sk"] if isinstance(w, Put) else w.sk for w in writes]
        checks = [w for w in writes if isinstance(w, Check)]
        if checks and len(writes) == 1:
            raise InvalidTransaction("a condition check needs a write beside it")
        if len(set(sort_keys)) != len(sort_keys):
            raise InvalidTransaction("a transaction cannot include two writes of the same item")
        # Stored values are built (and numbers converted) before the lock: a failure in
        # conversion must leave nothing half-written either.
        stored = [_with_pk(_stored(w.item), key) if isinstance(w, Put) else None for w in writes]
        with self._lock:
            part = self._partitions.setdefault(key, {})
            reasons = [_check(_item(part.get(sk)), w.expect)
                       for sk, w in zip(sort_keys, writes, strict=True)]
            if any(reasons):
                if len(writes) == 1:
                    raise ConditionFailed(["ConditionalCheckFailed"])
                raise ConditionFailed([r or "None" for r in reasons])
            for sk, item, w in zip(sort_keys, stored, writes, strict=True):
                if isinstance(w, Check):
                    continue
                if item is None:
                    part.pop(sk, None)
                else:
                    part[sk] = (item, tuple(k for k, v in item.items() if type(v) in _CONTAINERS))

    def query_index(self, query: IndexQuery, cursor: Any = None) -> Page:
        with self._lock:
            rows = [
                {k: item[k] for k in INDEX_KEYS}
                for part in self._partitions.values()
                for item, _ in part.values()
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
            rows = [{**_copy(self._partitions[k][PROFILE][0]),
                     "customer_id": k.removeprefix(PK_PREFIX)} for k in keys[start:end]]
        return Page(rows, end if end < len(keys) else None)

    def scan_items(self, scan: ScanSegment, sort_keys: tuple[str, ...],
                   cursor: Any = None) -> Page:
        with self._lock:
            rows = [{**_copy(part[sk][0]), "customer_id": key.removeprefix(PK_PREFIX)}
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
    kind = type(value)  # exact types first: this runs on every item written
    if kind is dict:
        return {k: _stored(v) for k, v in value.items()}
    if kind is str or kind is bool or value is None or kind is Decimal:
        return value
    if kind is list or kind is tuple:
        return [_stored(v) for v in value]
    if kind is int:
        return Decimal(value)
    if kind is float:
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _stored(v) for k, v in value.items()}
    if isinstance(value, bool | str | Decimal):
        return value
    if isinstance(value, int):
        return Decimal(int(value))
    if isinstance(value, float):
        return Decimal(str(float(value)))
    raise TypeError(f"unsupported type for the store: {type(value).__name__}")


def _with_pk(item: Item, key: str) -> Item:
    item["pk"] = key  # a fresh dict from _stored: set in place, no second copy
    return item


def _item(stored: _Stored | None) -> Item | None:
    return None if stored is None else stored[0]


def _copy(value: Any) -> Any:
    """Readers get their own copy (faster than deepcopy: stored values are JSON-like; a map is
    copied whole, then only its nested values again)."""
    kind = type(value)
    if kind is dict:
        fresh = value.copy()
        for k, v in value.items():
            if type(v) in _CONTAINERS:
                fresh[k] = _copy(v)
        return fresh
    if kind is list:
        return [_copy(v) if type(v) in _CONTAINERS else v for v in value]
    return value


_CONTAINERS = (dict, list)
