"""Event data that DynamoDB can store, checked once at the door.

DynamoDB rejects what JSON allows: numbers beyond 38 significant digits or 9.99E+125, more than
32 levels of nesting, empty map keys (DynamoDB developer guide, "Supported data types and
naming rules": https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
Such an event can never succeed, so it is refused with the field named (HTTP 400, or the
dead-letter queue at once) instead of failing in the store on every retry.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

# Tact keeps event data inside its own items (recent events, an entry's context): a few
# levels of its own above the data, within DynamoDB's 32.
MAX_DATA_DEPTH = 24
MAX_DIGITS = 38
MAX_MAGNITUDE = Decimal("9.99E+125")
MIN_MAGNITUDE = Decimal("1E-130")
_DIGITS_LIMIT = 10**MAX_DIGITS
_FLOAT_SAFE_LOW, _FLOAT_SAFE_HIGH = 1e-120, 1e120  # far inside the magnitudes above


def storable_problem(value: Any, path: str = "data") -> str | None:
    """The first thing in ``value`` DynamoDB would reject, as "field: what is wrong"; or None.

    Iterative, so a hostile depth cannot exhaust Python's stack either. Each node keeps its
    parent and key; the field's name is spelled out only for a problem (every event is checked,
    and almost none has one)."""
    pending: list[_Node] = [(value, None, path, 0)]
    while pending:
        node = pending.pop()
        item, _, _, depth = node
        kind = type(item)
        if kind is str or item is None or kind is bool:
            continue
        if isinstance(item, dict | list) and depth >= MAX_DATA_DEPTH:
            return (f"{_where(node)}: nested more than {MAX_DATA_DEPTH} levels deep; "
                    "send flatter data")
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str) or not key:
                    return f"{_where(node)}: an empty key; every key needs a name"
                pending.append((child, node, key, depth + 1))
        elif isinstance(item, list):
            pending += [(child, node, str(i), depth + 1) for i, child in enumerate(item)]
        elif isinstance(item, int | float | Decimal) and not isinstance(item, bool):
            problem = _number_problem(item)
            if problem:
                return f"{_where(node)}: {problem}"
    return None


_Node = tuple[Any, Any, str, int]  # (value, parent node or None, key or the root's path, depth)


def _where(node: _Node) -> str:
    keys: list[str] = []
    current: _Node | None = node
    while current is not None:
        keys.append(current[2])
        current = current[1]
    return ".".join(reversed(keys))


def _number_problem(number: float | int | Decimal) -> str | None:
    kind = type(number)
    # The common numbers, answered without Decimal: a whole number of at most 38 digits, or
    # a float well inside the range (its shortest repr has at most 17 significant digits).
    if kind is int and -_DIGITS_LIMIT < number < _DIGITS_LIMIT:
        return None
    if kind is float and (number == 0 or _FLOAT_SAFE_LOW < abs(float(number)) < _FLOAT_SAFE_HIGH):
        return None
    try:
        exact = Decimal(str(number)) if isinstance(number, float) else Decimal(number)
    except (InvalidOperation, ValueError, OverflowError):
        return "not a number that can be stored"
    if not exact.is_finite():
        return f"{number} is not a finite number"
    size = abs(exact)
    if size and not MIN_MAGNITUDE <= size <= MAX_MAGNITUDE:
        return (f"{number:.3g} is outside what can be stored (magnitude 1E-130 to 9.99E+125); "
                "check the value and its unit")
    if len("".join(map(str, exact.as_tuple().digits)).strip("0")) > MAX_DIGITS:
        return f"{number:.3g} has more than {MAX_DIGITS} significant digits"
    return None
