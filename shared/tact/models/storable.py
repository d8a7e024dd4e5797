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


def storable_problem(value: Any, path: str = "data") -> str | None:
    """The first thing in ``value`` DynamoDB would reject, as "field: what is wrong"; or None.

    Iterative, so a hostile depth cannot exhaust Python's stack either."""
    pending: list[tuple[Any, str, int]] = [(value, path, 0)]
    while pending:
        node, where, depth = pending.pop()
        if isinstance(node, dict | list) and depth >= MAX_DATA_DEPTH:
            return f"{where}: nested more than {MAX_DATA_DEPTH} levels deep; send flatter data"
        if isinstance(node, dict):
            for key, item in node.items():
                if not isinstance(key, str) or not key:
                    return f"{where}: an empty key; every key needs a name"
                pending.append((item, f"{where}.{key}", depth + 1))
        elif isinstance(node, list):
            pending += [(item, f"{where}.{i}", depth + 1) for i, item in enumerate(node)]
        elif isinstance(node, int | float | Decimal) and not isinstance(node, bool):
            problem = _number_problem(node)
            if problem:
                return f"{where}: {problem}"
    return None


def _number_problem(number: float | int | Decimal) -> str | None:
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
