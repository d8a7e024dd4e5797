"""Compact JSON bytes (tact.json_bytes): orjson where it can, the standard library's answer
where it cannot, and the same measure either way."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tact.json_bytes import compact

texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=8)
without_floats = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**64 - 1) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=25)


def _standard(value: Any, sort_keys: bool = False, default: Any = None) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys,
                      default=default).encode("utf-8")


@given(without_floats, st.booleans())
def test_the_bytes_are_the_standard_librarys_compact_utf8(value: Any, sort_keys: bool) -> None:
    assert compact(value, sort_keys=sort_keys) == _standard(value, sort_keys)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_reads_back_as_itself(number: float) -> None:
    assert json.loads(compact({"n": number})) == {"n": number}


@pytest.mark.parametrize("value", [
    {"big": 10**30}, {"neg": -(2**70)}, {1: "a", "b": [2]}, [[[[]]]] * 3,
    {"deep": json.loads("[" * 300 + "]" * 300)}])
def test_what_orjson_refuses_gets_the_standard_answer(value: Any) -> None:
    assert compact(value) == _standard(value)


def test_a_lone_surrogate_fails_as_the_standard_library_fails() -> None:
    with pytest.raises(UnicodeEncodeError):
        compact({"x": "\ud800"})


def test_default_turns_what_json_lacks_into_text() -> None:
    assert compact({"price": Decimal("1.50")}, default=str) == b'{"price":"1.50"}'
    with pytest.raises(TypeError):
        compact({"price": Decimal("1.50")})
