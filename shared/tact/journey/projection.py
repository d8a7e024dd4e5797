"""An execution's input at run time: the trigger event's data cut down to the paths its
journey reads (found at build time by tact.journey.references), addresses never carried."""

from __future__ import annotations

from typing import Any

# Never carried into an execution, whatever reads them (the customer's profile has them).
ADDRESS_FIELDS = frozenset({"email", "phone", "push_endpoint"})


def project(data: Any, fields: list[list[str]]) -> Any:
    """``data`` cut down to ``fields`` (lists are walked element by element), addresses out."""
    tree: dict[str, Any] = {}
    for path in fields:
        if not path:
            return _without_addresses(data)
        node = tree
        for segment in path[:-1]:
            child = node.setdefault(segment, {})
            if child is None:  # a shorter path already takes all of it
                break
            node = child
        else:
            node[path[-1]] = None
    return _cut(data, tree)


def _cut(value: Any, tree: dict[str, Any] | None) -> Any:
    if tree is None:
        return _without_addresses(value)
    if isinstance(value, list):
        return [_cut(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    return {key: _cut(value[key], sub) for key, sub in tree.items()
            if key in value and key not in ADDRESS_FIELDS}


def _without_addresses(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_addresses(v) for k, v in value.items() if k not in ADDRESS_FIELDS}
    if isinstance(value, list):
        return [_without_addresses(v) for v in value]
    return value
