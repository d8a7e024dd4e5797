"""The executor copies every value a state hands on (``json_copy``). Values of JSON's own types
are copied directly; the result must be exactly the JSON round trip's, and so must the error
of anything JSON cannot carry."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tact.json_values import js_number
from tact.local.stepfunctions.values import json_copy

scalars = (st.none() | st.booleans() | st.integers() | st.text(max_size=5)
           | st.floats(allow_nan=True, allow_infinity=True)
           | st.sampled_from([10.0, -0.0, 1e21, 1e20, 2.5, 1e-7, 3.0000000000000004]))
oddities = st.sampled_from([Decimal("1.5"), (1, 2), {1, 2}, b"x", float("nan")])
keys = st.text(max_size=4) | st.integers(-3, 3) | st.booleans() | st.none() | st.floats(0, 2)
values = st.recursive(
    scalars | oddities,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4)
    | st.lists(inner, max_size=3).map(tuple),
    max_leaves=20)


def _round_trip(value: Any, js_numbers: bool) -> Any:
    text = json.dumps(value, allow_nan=False)
    return json.loads(text, parse_float=js_number) if js_numbers else json.loads(text)


@settings(max_examples=500, deadline=None)
@given(values, st.booleans())
def test_the_copy_is_the_round_trips_result_or_its_error(value: Any, js_numbers: bool) -> None:
    try:
        expected = repr(_round_trip(value, js_numbers))  # repr: 1, 1.0 and True differ
    except (TypeError, ValueError) as err:
        with pytest.raises(ValueError, match="not JSON-serializable") as raised:
            json_copy(value, "x", js_numbers=js_numbers)
        assert str(err) in str(raised.value)
        return
    assert repr(json_copy(value, "x", js_numbers=js_numbers)) == expected


def test_the_copy_shares_nothing_with_the_original() -> None:
    original = {"a": [{"b": 1.5}], "c": {"d": []}}
    copied = json_copy(original, "x")
    copied["a"][0]["b"] = 2  # type: ignore[index]
    copied["c"]["d"].append(1)  # type: ignore[index]
    assert original == {"a": [{"b": 1.5}], "c": {"d": []}}


def test_a_cycle_is_refused_as_the_round_trip_refuses_it() -> None:
    looped: dict[str, Any] = {}
    looped["self"] = [looped]
    with pytest.raises(ValueError, match="Circular reference"):
        json_copy(looped, "task output")


def test_whole_floats_become_integers_only_as_jsonata_results() -> None:
    assert repr(json_copy({"n": [10.0, 1e21]}, "x")) == "{'n': [10.0, 1e+21]}"
    assert repr(json_copy({"n": [10.0, 1e21]}, "x", js_numbers=True)) == "{'n': [10, 1e+21]}"
