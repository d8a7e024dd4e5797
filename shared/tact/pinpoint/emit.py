"""A small YAML writer that keeps comments where they belong (above a key or a list item).

Nodes are plain dicts/lists/scalars; a dict may carry ``COMMENT: [lines]``, written as
``# line`` above it. Strings are quoted as JSON (valid YAML) unless plainly safe.
"""

from __future__ import annotations

import json
import re
from typing import Any

COMMENT = "__comment__"
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_RESERVED = {"yes", "no", "true", "false", "null", "on", "off", "y", "n", "~"}
FLOW_WIDTH = 92


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def _comments(node: Any) -> list[str]:
    return list(node.get(COMMENT, [])) if isinstance(node, dict) else []


def _items(node: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in node.items() if k != COMMENT]


def _flow(node: Any) -> str | None:
    """One-line form for small leaf dicts and lists of scalars, else None."""
    if isinstance(node, dict):
        if _comments(node) or any(isinstance(v, dict | list) and not _is_scalar_list(v)
                                  for _, v in _items(node)):
            return None
        inner = ", ".join(f"{scalar(k)}: {_flow(v) if isinstance(v, list) else scalar(v)}"
                          for k, v in _items(node))
        return "{" + inner + "}"
    if _is_scalar_list(node):
        return "[" + ", ".join(scalar(v) for v in node) + "]"
    return None


def _is_scalar_list(node: Any) -> bool:
    return isinstance(node, list) and all(not isinstance(v, dict | list) for v in node)


def _comment_lines(lines: list[str], pad: str) -> list[str]:
    out = []
    for line in lines:
        for part in str(line).splitlines() or [""]:
            out.append(f"{pad}# {part}".rstrip())
    return out


def dump(node: dict[str, Any], indent: int = 0) -> str:
    head = _comment_lines(_comments(node), " " * indent)
    return "\n".join([*head, *_mapping(node, indent)]) + "\n"


def _mapping(node: dict[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    for key, value in _items(node):
        out += _comment_lines(_comments(value) if isinstance(value, dict) else [], pad)
        out += _entry(f"{pad}{scalar(key)}:", value, indent)
    return out


def _entry(head: str, value: Any, indent: int) -> list[str]:
    flow = _flow(value) if isinstance(value, dict | list) else None
    if not isinstance(value, dict | list):
        return [f"{head} {scalar(value)}"]
    if flow is not None and len(head) + len(flow) + 1 <= FLOW_WIDTH:
        return [f"{head} {flow}"]
    if isinstance(value, dict):
        if not _items(value):
            return [f"{head} {{}}"]
        return [head, *_mapping(value, indent + 2)]
    if not value:
        return [f"{head} []"]
    return [head, *_sequence(value, indent + 2)]


def _sequence(items: list[Any], indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    for item in items:
        out += _comment_lines(_comments(item), pad)
        if not isinstance(item, dict | list):
            out.append(f"{pad}- {scalar(item)}")
            continue
        if isinstance(item, list):
            out += [f"{pad}-", *_sequence(item, indent + 2)]
            continue
        body = _mapping({k: v for k, v in item.items() if k != COMMENT}, indent + 2)
        if not body:
            out.append(f"{pad}- {{}}")
            continue
        first = body[0][indent + 2:]
        out.append(f"{pad}- {first}")
        out += body[1:]
    return out
