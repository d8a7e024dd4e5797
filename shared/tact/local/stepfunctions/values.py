"""JSON values, times and names the way Step Functions treats them."""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime
from typing import Any

from tact.clock import utc_seconds_text
from tact.json_values import NotPlain, js_number, plain_copy
from tact.local.stepfunctions.records import JSON


def next_state(state: dict[str, Any]) -> str | None:
    return None if state.get("End") is True else state["Next"]


def error_name(exc: BaseException) -> str:
    name = getattr(exc, "error_type", None)
    return name if isinstance(name, str) and name else type(exc).__name__


def json_copy(value: Any, what: str, *, js_numbers: bool = False) -> JSON:
    """A detached copy of a JSON value; rejects anything JSON cannot carry.

    ``js_numbers``: as a JSONata result. JSONata works on JavaScript numbers: there is no 10.0
    apart from 10, and JSON.stringify writes 10. So a whole number written 10.0 in an input
    reaches a Lambda through an expression as 10 (an int in Python), as jsonata-python's own
    results and LocalStack's interpreter have it (the differential test in
    tests/integration/stepfunctions compares them); a literal in the definition is left as
    written.

    The copy is the JSON round trip's result. Values of JSON's own types (str keys; dict,
    list, str, int, bool, None, finite float) are copied directly, which gives the same thing
    several times faster (every state hands its data on through here); anything else (a tuple,
    a non-str key, NaN, a type JSON lacks, a cycle) takes the round trip itself, with its
    conversions and errors."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value  # what the round trip below gives back (a float may change: not here)
    try:
        return plain_copy(value, js_numbers)
    except (NotPlain, RecursionError):
        pass
    try:
        text = json.dumps(value, allow_nan=False)
        return json.loads(text, parse_float=js_number) if js_numbers else json.loads(text)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} is not JSON-serializable: {exc}") from exc


def canonical(value: JSON) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@functools.lru_cache(maxsize=1024)  # the context formats the same instants for every state
def iso(t: datetime) -> str:
    """Step Functions' timestamp style: UTC, milliseconds, trailing zeros dropped."""
    t = t if t.tzinfo is UTC else t.astimezone(UTC)
    millis = t.microsecond // 1000
    fraction = f".{millis:03d}".rstrip("0") if millis else ""
    return utc_seconds_text(t) + fraction + "Z"


def kind_of(value: JSON) -> str:
    return "null" if value is None else type(value).__name__


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_timestamp(value: Any) -> datetime:
    if not isinstance(value, str) or "T" not in value:
        raise ValueError(f"expected an ISO 8601 timestamp like 2026-01-01T10:00:00Z, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from exc
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp needs a time zone (Z or an offset): {value!r}")
    return parsed.astimezone(UTC)


def function_name_candidates(name: str) -> list[str]:
    """The name as given, then the bare function name of an ARN or ``name:qualifier``."""
    candidates = [name]
    if name.startswith("arn:"):
        parts = name.split(":")
        if len(parts) >= 7 and parts[5] == "function":
            candidates += [":".join(parts[:7]), parts[6]]
    elif ":" in name:
        candidates.append(name.split(":", 1)[0])
    return candidates
