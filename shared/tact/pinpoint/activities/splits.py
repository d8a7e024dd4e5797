"""ConditionalSplit and MultiCondition activities -> split or wait_for steps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tact.pinpoint.activities.wait import evaluation_wait
from tact.pinpoint.emit import COMMENT
from tact.pinpoint.findings import iso_duration, slug_id
from tact.pinpoint.start import event_noun

if TYPE_CHECKING:
    from tact.pinpoint.convert import Converter


def simple_condition(conv: Converter, simple: dict[str, Any], where: str,
              comments: list[str]) -> str | None:
    terms: list[str] = []
    if simple.get("SegmentDimensions"):
        terms += conv.dimensions_condition(simple["SegmentDimensions"], "customer",
                                           f"{where}.SegmentDimensions", comments)
    if simple.get("SegmentCondition"):
        comments.append(conv.note("unmapped", f"{where}.SegmentCondition", "membership of "
                                  f"segment {simple['SegmentCondition'].get('SegmentId')}"))
        return None
    if simple.get("EventCondition"):
        event = simple["EventCondition"]
        names = ((event.get("Dimensions") or {}).get("EventType") or {}).get("Values", [])
        about = f" of activity {event['MessageActivity']}" if event.get("MessageActivity") \
            else ""
        comments.append(conv.note("unmapped", f"{where}.EventCondition",
                                  f"event condition {names}{about}: {_why_not_wait_for(event)}"))
        return None
    return " and ".join(terms) if terms else None


def _why_not_wait_for(event: dict[str, Any]) -> str:
    """Why an event condition did not become a ``wait_for`` step (the simple case does)."""
    if event.get("MessageActivity"):
        return ("Tact records no opens or clicks of its messages, so no step can wait for "
                "them; this branch is never taken until you write a condition")
    dims = event.get("Dimensions") or {}
    if (dims.get("EventType") or {}).get("DimensionType") == "EXCLUSIVE" or len(
            (dims.get("EventType") or {}).get("Values") or []) != 1:
        return ("a wait_for step waits for one event type, not a set or its complement; "
                "write a wait_for per event, or a condition")
    return ("a wait_for step (wait for an event up to a timeout, then branch; `when` for its "
            "attributes) maps a yes/no split on this one event; here it is combined with other "
            "conditions or branches, or an attribute comparison has no equivalent (see above): "
            "put a wait_for before the split, or write the condition")


def combined(conv: Converter, condition: dict[str, Any], where: str,
             comments: list[str]) -> str | None:
    parts = []
    for i, simple in enumerate(condition.get("Conditions") or []):
        term = simple_condition(conv, simple, f"{where}.Conditions[{i}]", comments)
        parts.append(term)
    operator = condition.get("Operator", "ALL")
    if operator == "ALL":
        mapped = [p for p in parts if p is not None]
        if len(mapped) < len(parts) or not parts:
            return None  # an unmappable part makes the whole condition unknowable
        return " and ".join(f"({p})" if len(mapped) > 1 else p for p in mapped)
    known = [p for p in parts if p is not None]
    return " or ".join(f"({p})" if len(known) > 1 else p for p in known) or None


def awaited_event(conv: Converter, spec: dict[str, Any],
                  where: str) -> tuple[str, dict[str, Any]] | None:
    """The Tact event (and its Pinpoint dimensions) of a yes/no split that only asks "did
    event X (with these attributes) happen during the evaluation wait?" -- exactly a
    ``wait_for`` with that timeout (and a ``when`` on the attributes)."""
    conditions = (spec.get("Condition") or {}).get("Conditions") or []
    wait = spec.get("EvaluationWaitTime") or {}
    if "wait_for" not in conv.step_kinds or len(conditions) != 1 or not wait.get("WaitFor"):
        return None
    event = conditions[0].get("EventCondition") or {}
    if set(conditions[0]) != {"EventCondition"} or event.get("MessageActivity"):
        return None
    dims = event.get("Dimensions") or {}
    names = (dims.get("EventType") or {}).get("Values") or []
    if len(names) != 1 or (dims.get("EventType") or {}).get("DimensionType") == "EXCLUSIVE":
        return None
    mapped = conv.map_event(str(names[0]), f"{where}.Condition.Conditions[0].EventCondition")
    return (mapped, dims) if mapped else None


def conditional_split(conv: Converter, activity_id: str, spec: dict[str, Any],
                      path: tuple[str, ...], where: str) -> list[dict[str, Any]]:
    found = awaited_event(conv, spec, f"{where}.ConditionalSplit")
    here = f"{where}.ConditionalSplit"
    unmappable: list[str] = []
    terms = [] if found is None else conv.dimensions_condition(
        found[1], event_noun(found[0]) or "event.data",
        f"{here}.Condition.Conditions[0].EventCondition.Dimensions", unmappable)
    if found and not unmappable:
        awaited = found[0]
        conv.note("mapped", here, f"yes/no split on {awaited}"
                  f"{' (with its attributes)' if terms else ''} within the evaluation wait "
                  "-> wait_for")
        wait_for: dict[str, Any] = {
            "id": conv.unique(slug_id(activity_id)), "event": awaited,
            "timeout": iso_duration(spec["EvaluationWaitTime"]["WaitFor"],
                                    f"{here}.EvaluationWaitTime.WaitFor")}
        if terms:
            wait_for["when"] = " and ".join(terms)
        yes = conv.branch(spec.get("TrueActivity"), path, f"{here}.TrueActivity")
        no = conv.branch(spec.get("FalseActivity"), path, f"{here}.FalseActivity")
        if yes:
            wait_for["on_event"] = yes
        if no:
            wait_for["on_timeout"] = no
        return [{"wait_for": wait_for}]
    comments: list[str] = []
    condition = combined(conv, spec.get("Condition") or {}, f"{where}.ConditionalSplit"
                              ".Condition", comments)
    yes = conv.branch(spec.get("TrueActivity"), path, f"{where}.ConditionalSplit"
                      ".TrueActivity")
    no = conv.branch(spec.get("FalseActivity"), path, f"{where}.ConditionalSplit"
                     ".FalseActivity")
    return split_steps(conv, activity_id, spec, [(condition, yes)], no, comments,
                            f"{where}.ConditionalSplit")


def multi_condition(conv: Converter, activity_id: str, spec: dict[str, Any], path: tuple[str, ...],
                    where: str) -> list[dict[str, Any]]:
    comments: list[str] = []
    branches = []
    for i, branch in enumerate(spec.get("Branches") or []):
        here = f"{where}.MultiCondition.Branches[{i}]"
        condition = simple_condition(conv, branch.get("Condition") or {}, f"{here}.Condition",
                                   comments)
        branches.append((condition, conv.branch(branch.get("NextActivity"), path,
                                                f"{here}.NextActivity")))
    default = conv.branch(spec.get("DefaultActivity"), path,
                          f"{where}.MultiCondition.DefaultActivity")
    return split_steps(conv, activity_id, spec, branches, default, comments,
                            f"{where}.MultiCondition")


def split_steps(conv: Converter, activity_id: str, spec: dict[str, Any],
                branches: list[tuple[str | None, list[dict[str, Any]]]],
                default: list[dict[str, Any]], comments: list[str],
                where: str) -> list[dict[str, Any]]:
    steps = evaluation_wait(conv, activity_id, spec, where)
    items: list[dict[str, Any]] = []
    for condition, body in branches:
        if condition is None:
            # Kept visible, never taken: `false` until someone writes the condition.
            items.append({"if": "false", "steps": body or [{"exit": "no steps"}],
                          COMMENT: ["UNMAPPED condition (see above): this branch is "
                                    "never taken until you write one"]})
        else:
            items.append({"if": condition, "steps": body or [{"exit": "no steps"}]})
    if default:
        items.append({"else": default})
    split = {COMMENT: comments, "id": conv.unique(slug_id(activity_id)), "split": items}
    if not comments:
        del split[COMMENT]
    return [*steps, split]
