"""Rules of the loader that JSON Schema can say too, so an editor flags them as you type.

Each narrows what pydantic's export allows, never below what the loader accepts: limits
(holdout at most 50 %, waits of at least a minute), patterns (HH:MM times), `else` only as
the last branch, `reentry_interval` only with `reentry: allow`, a cart journey exits on a
purchase, and an update never sets an attribute Tact maintains.
"""

from __future__ import annotations

from typing import Any

from tact.journey.guardrails import CART_EVENTS, PURCHASE
from tact.journey.model import _STEP_ID, PROTECTED_ATTRIBUTES

TIME_OF_DAY = {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$", "examples": ["09:00"]}
DURATION = {"type": "string", "pattern": r"^\s*(\d+\s*[smhdw]\s*)+$", "examples": ["2h", "1d"]}
# A duration that is zero, or seconds only and under a minute: "30s", "0h", "0h59s".
_UNDER_A_MINUTE = r"^\s*(0+\s*[smhdw]\s*)*(0*[0-5]?\d\s*s\s*)?(0+\s*[smhdw]\s*)*$"
AT_LEAST_A_MINUTE = {**DURATION, "not": {"pattern": _UNDER_A_MINUTE},
                     "description": "at least one minute, e.g. 2h, 30m, 1d"}
PERCENT_UP_TO_HALF = {"type": "string", "pattern": r"^\s*(50(\.0+)?|[1-4]?\d(\.\d+)?)\s*%\s*$",
                      "examples": ["10%"]}
# Splits up to this many branches are checked exactly for `else` being last; longer ones
# (never seen in practice) only branch by branch.
EXACT_SPLIT_BRANCHES = 12


def tighten_journey(schema: dict[str, Any]) -> None:
    defs = schema["$defs"]
    props = schema["properties"]
    props["holdout"]["anyOf"][1] = PERCENT_UP_TO_HALF
    props["reentry_interval"]["anyOf"][0] = DURATION
    schema["allOf"] = [_reentry_interval_needs_allow(), _cart_exits_on_purchase()]
    wait = defs["WaitStep"]["properties"]["wait"]
    wait["anyOf"] = [AT_LEAST_A_MINUTE if option.get("pattern") == DURATION["pattern"]
                     else option for option in wait["anyOf"]]
    spec = defs["WaitSpec"]["properties"]
    spec["duration"]["anyOf"] = [AT_LEAST_A_MINUTE, {"type": "integer", "minimum": 60},
                                 {"type": "null"}]
    spec["at"]["anyOf"][0] = TIME_OF_DAY
    defs["WaitForSpec"]["properties"]["timeout"] = {
        **defs["WaitForSpec"]["properties"]["timeout"], **AT_LEAST_A_MINUTE}
    defs["UpdateSpec"]["properties"]["set"]["propertyNames"] = {
        "pattern": _STEP_ID, "not": {"enum": sorted({*PROTECTED_ATTRIBUTES, "tags"})}}
    split = defs["SplitStep"]["properties"]["split"]
    split.pop("items", None)
    split["anyOf"] = _else_last()


def _reentry_interval_needs_allow() -> dict[str, Any]:
    return {"if": {"required": ["reentry_interval"],
                   "properties": {"reentry_interval": {"not": {"type": "null"}}}},
            "then": {"required": ["reentry"], "properties": {"reentry": {"const": "allow"}}}}


def _cart_exits_on_purchase() -> dict[str, Any]:
    purchase = {"anyOf": [{"const": PURCHASE}, {"type": "object", "required": ["event"],
                                                "properties": {"event": {"const": PURCHASE}}}]}
    return {"if": {"required": ["trigger"], "properties": {"trigger": {
                "required": ["event"], "properties": {"event": {"enum": sorted(CART_EVENTS)}}}}},
            "then": {"required": ["exit_on"], "properties": {"exit_on": {"contains": purchase}}}}


def _else_last() -> list[dict[str, Any]]:
    branch, otherwise = {"$ref": "#/$defs/Branch"}, {"$ref": "#/$defs/ElseBranch"}
    shapes: list[dict[str, Any]] = [{"items": branch}]
    for ifs in range(EXACT_SPLIT_BRANCHES):
        shapes.append({"prefixItems": [*([branch] * ifs), otherwise],
                       "minItems": ifs + 1, "maxItems": ifs + 1})
    shapes.append({"minItems": EXACT_SPLIT_BRANCHES + 1,
                   "items": {"oneOf": [branch, otherwise]}})
    return shapes


def tighten_settings(schema: dict[str, Any]) -> None:
    # Quiet hours are a local time of day, "21:00" (not RFC 3339 full-time with an offset).
    quiet = schema["$defs"]["QuietHours"]["properties"]
    for name in ("start", "end"):
        quiet[name] = {"description": quiet[name].get("description", ""),
                       "default": quiet[name].get("default", "")[:5], **TIME_OF_DAY}
