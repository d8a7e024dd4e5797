"""The replay writes each SQS body with orjson where the handler cannot tell it from
``json.dumps`` (tact.local.adapters.message_body): the same message when unwrapped, the same
refusal and reason when not."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tact.ingest.messages import MAX_EVENT_BYTES, unwrap
from tact.local.adapters import message_body
from tact.models.events import EventError

texts = st.text(max_size=6) | st.sampled_from(["\ud800", "é", "𝄞", "null", "a\nb", "\x00"])
numbers = (st.integers() | st.floats() | st.sampled_from(
    [float("nan"), float("inf"), -0.0, 2**64, -(2**63) - 1, 10**40]))
values = st.recursive(st.none() | st.booleans() | numbers | texts,
                      lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(texts, inner, max_size=4), max_leaves=20)


def _unwrapped(body: str) -> Any:
    try:
        return repr(unwrap(body))  # repr: 1, 1.0 and True differ; nan equals nan
    except EventError as err:
        return f"refused: {err.reason}"


def _bridge(detail: Any) -> dict[str, Any]:
    return {"version": "0", "detail-type": "cart_updated", "resources": [], "detail": detail}


@settings(max_examples=400, deadline=None)
@given(values)
def test_the_handler_reads_the_body_as_it_reads_json_dumps(detail: Any) -> None:
    message = _bridge(detail)
    assert _unwrapped(message_body(message)) == _unwrapped(json.dumps(message))


@pytest.mark.parametrize("detail", [
    {"note": "𝄞" * (MAX_EVENT_BYTES // 12)},  # compact fits, json.dumps' escapes do not
    {"note": "x" * (MAX_EVENT_BYTES - 60)},  # near the limit in either form
    {"note": "x" * MAX_EVENT_BYTES},
    {"n": [1] * (MAX_EVENT_BYTES // 4)},  # ", " against ","
])
def test_sizes_near_eventbridges_limit_are_judged_as_json_dumps_writes_them(
        detail: dict[str, Any]) -> None:
    message = _bridge(detail)
    assert _unwrapped(message_body(message)) == _unwrapped(json.dumps(message))


def test_what_json_refuses_is_refused_alike() -> None:
    from datetime import UTC, datetime

    for odd in ({1.5, 2.5}, datetime(2026, 1, 1, tzinfo=UTC), b"bytes"):
        with pytest.raises(TypeError):
            json.dumps(_bridge({"x": odd}))
        with pytest.raises(TypeError):
            message_body(_bridge({"x": odd}))


def test_a_plain_body_is_compact_utf8() -> None:
    assert message_body({"a": 1, "b": "é"}) == '{"a":1,"b":"é"}'
