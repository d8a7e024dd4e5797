"""JSON values copied as a JSON round trip would give them back, without the round trip.

Values of JSON's own types (text keys; dict, list, str, int, bool, None, finite float) are
copied directly, several times faster than ``json.loads(json.dumps(value))``. Anything else
(a tuple, a non-text key, NaN or an infinity, a type JSON lacks) raises :class:`NotPlain`, and
the caller takes its own slow path, with that path's conversions and errors.
"""

from __future__ import annotations

from typing import Any


class NotPlain(Exception):
    """A value the direct copy leaves to the caller's slow path."""


_SAME = frozenset((str, int, bool, type(None)))  # exact types handed back as they are
_INFINITY = float("inf")


def plain_copy(value: Any, js_numbers: bool = False) -> Any:
    """``js_numbers``: a whole float comes back as an int (JSONata's numbers, ``js_number``)."""
    kind = type(value)
    if kind is dict:
        fresh = {}
        for key, item in value.items():
            if type(key) is not str:
                raise NotPlain
            fresh[key] = item if type(item) in _SAME else plain_copy(item, js_numbers)
        return fresh
    if kind is list:
        return [item if type(item) in _SAME else plain_copy(item, js_numbers)
                for item in value]
    if kind is float:
        if value != value or value in (_INFINITY, -_INFINITY):
            raise NotPlain
        return js_number(repr(value)) if js_numbers else value
    if kind in _SAME:
        return value
    raise NotPlain


def js_number(text: str) -> float | int:
    number = float(text)
    # JavaScript writes whole numbers below 1e21 without a fraction (1e21 and up: exponent).
    return int(number) if number.is_integer() and abs(number) < 1e21 else number
