"""Durations as marketers write them: ``90s``, ``30m``, ``2h``, ``1d``, ``1h30m``, ``2w``."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+)\s*([smhdw])")
_WHOLE = re.compile(r"^\s*(?:\d+\s*[smhdw]\s*)+$")


def parse_duration(value: Any) -> int:
    """Seconds in a duration string; integers are taken as seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 2h, 30m or 1d")
    if isinstance(value, int):
        return value
    if not isinstance(value, str) or not _WHOLE.match(value):
        raise ValueError(f"{value!r} is not a duration; write e.g. 2h, 30m, 1d or 1h30m")
    return sum(int(n) * _UNITS[u] for n, u in _PART.findall(value))


def format_duration(seconds: int) -> str:
    parts = []
    for unit in ("w", "d", "h", "m", "s"):
        count, seconds = divmod(seconds, _UNITS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


Duration = Annotated[
    int,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^(\d+[smhdw])+$", "examples": ["2h", "1d"]}),
]
