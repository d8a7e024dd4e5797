"""Who is in a broadcast's audience: its segment condition on the customer model.

Conditions see what journey conditions see of a customer (``customer``, ``freshness``), with
no event: a broadcast is not triggered by one. A condition that cannot be evaluated for a
customer leaves that customer out (silence beats a message to the wrong person).

A segment is evaluated for every customer of the table, so :class:`SegmentMatcher` evaluates
JSONata once per distinct combination of the values the condition reads (a handful: stages,
categories) rather than once per customer, whenever the condition only reads plain paths.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tact.broadcast.model import Broadcast, Segment
from tact.customer import CustomerState, plain
from tact.expressions import ExpressionError, freshness_of, is_true, paths_read

ROOTS = {"customer": "", "freshness": ""}  # names a segment condition may start with
# Anything that could read more than the plain paths found: filters, wildcards, the context
# itself, variables; then the condition is evaluated on the whole customer every time.
_OPAQUE = re.compile(r"[\[*%@#]|\$\$|\$\w*\s*\(\s*(customer|freshness)\s*[,)]|\$(now|millis)\b")
_BARE_ROOT = re.compile(r"(?<![\w$.])(customer|freshness)(?!\s*\.\s*[A-Za-z_])")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')


class UnknownSegment(LookupError):
    pass


def condition_of(broadcast: Broadcast, segments: dict[str, Segment] | dict[str, str]) -> str:
    """The JSONata condition of a broadcast: its own, or its referenced segment's."""
    ref = broadcast.segment_ref()
    if ref is None:
        base = broadcast.segment
    else:
        found = segments.get(ref)
        if found is None:
            raise UnknownSegment(f"broadcast {broadcast.id!r}: no segment {ref!r}")
        base = found if isinstance(found, str) else found.when
    return base if broadcast.when is None else f"({base}) and ({broadcast.when})"


def segment_context(state: CustomerState) -> dict[str, Any]:
    return {"customer": state.attributes(), "freshness": freshness_of(state)}


def _safe(condition: str, state: CustomerState, context: dict[str, Any]) -> bool:
    try:
        return is_true(condition, context)
    except ExpressionError:
        return False


def in_segment(condition: str, state: CustomerState) -> bool:
    if not state.profile:
        return False  # known only by events that carry no profile: nobody to address
    return _safe(condition, state, segment_context(state))


class SegmentMatcher:
    """``matches(state)`` is ``in_segment(condition, state)``, memoized where that is exact."""

    def __init__(self, condition: str) -> None:
        self.condition = condition
        blanked = _STRING.sub(lambda m: " " * len(m.group(0)), condition)
        paths = [(root, tuple(segments)) for root, segments, _ in paths_read(condition)]
        exact = (paths and all(root in ROOTS and segments for root, segments in paths)
                 and not _OPAQUE.search(blanked) and not _BARE_ROOT.search(blanked))
        self.paths = sorted(set(paths)) if exact else None
        self.cache: dict[str, bool] = {}

    def matches(self, state: CustomerState) -> bool:
        if not state.profile:
            return False
        if self.paths is None:
            return in_segment(self.condition, state)
        attrs = state.profile.get("attrs", {})
        context: dict[str, Any] = {"customer": {}, "freshness": {}}
        for root, segments in self.paths:
            found = attrs.get(segments[0])
            if found is None:
                continue
            value = plain(found.get("v") if root == "customer" else found.get("at"))
            for name in segments[1:]:
                value = value.get(name) if isinstance(value, dict) else None
            if value is None:
                continue
            node = context[root]
            for name in segments[:-1]:
                node = node.setdefault(name, {})
            if isinstance(node, dict):
                node[segments[-1]] = value
        key = json.dumps(context, sort_keys=True, default=str)
        known = self.cache.get(key)
        if known is None:
            known = self.cache[key] = _safe(self.condition, state, context)
        return known
