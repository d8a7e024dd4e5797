"""Map one Pinpoint journey (``JourneyResponse`` or ``WriteJourneyRequest``) to Tact nodes.

Pinpoint activities form a graph (each names its ``NextActivity``); Tact steps form a tree.
The graph is unfolded from ``StartActivity``: where two paths meet again, the shared tail is
repeated in each branch with fresh step ids. Everything that has no Tact equivalent is kept
as a finding (for the printed report) and as a comment in the output -- never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tact.pinpoint.activities.contact_center import contact_center
from tact.pinpoint.activities.holdout import mid_holdout, start_holdout
from tact.pinpoint.activities.random_split import random_split
from tact.pinpoint.activities.send import send
from tact.pinpoint.activities.splits import conditional_split, multi_condition
from tact.pinpoint.activities.wait import wait_step
from tact.pinpoint.emit import COMMENT
from tact.pinpoint.findings import (
    CHANNELS,
    EVENT_SYNONYMS,
    OPERATORS,
    SETTINGS_PATHS,
    Conversion,
    Finding,
    PinpointError,
    literal,
    slug_id,
)
from tact.pinpoint.settings import journey_settings
from tact.pinpoint.start import exit_rules, reentry, schedule, trigger


class Converter:
    def __init__(self, data: dict[str, Any], event_map: dict[str, str],
                 trigger: str | None) -> None:
        from tact.models.events import EVENT_TYPES

        self.data = data
        self.event_types = set(EVENT_TYPES)
        self.event_map = event_map
        self.trigger_override = trigger
        self.activities: dict[str, Any] = data.get("Activities") or {}
        self.findings: list[Finding] = []
        self.templates: dict[str, set[str]] = {}
        self.template_sources: dict[str, str] = {}
        self.used_ids: set[str] = set()
        self.webhook_uris: list[str] = []
        self.from_addresses: list[str] = []
        self.trigger_event: str | None = None
        self.step_kinds = self._step_kinds()
        self.header: list[str] = []

    @staticmethod
    def _step_kinds() -> set[str]:
        from tact.journey.model import STEP_KINDS

        return set(STEP_KINDS)

    def note(self, kind: str, where: str, message: str) -> str:
        self.findings.append(Finding(kind, where, message))
        return self.label(kind) + f": {message}"

    @staticmethod
    def label(kind: str) -> str:
        return {"unmapped": "UNMAPPED", "approximated": "APPROXIMATED",
                "fill_in": "FILL IN"}.get(kind, "NOTE")

    def unique(self, wanted: str) -> str:
        candidate, n = wanted, 2
        while candidate in self.used_ids:
            candidate, n = f"{wanted}_{n}", n + 1
        self.used_ids.add(candidate)
        return candidate

    # ----------------------------------------------------------------- events

    def map_event(self, name: str, where: str) -> str | None:
        if name in self.event_map:
            return self.event_map[name]
        if name in self.event_types:
            return name
        bare = name.removeprefix("_custom.").lower()
        if bare in self.event_types:
            return bare
        mapped = EVENT_SYNONYMS.get(name.lower()) or EVENT_SYNONYMS.get(bare)
        if mapped:
            self.note("approximated", where, f"Pinpoint event {name!r} taken as Tact's "
                      f"{mapped!r}; pass --event-map {name}=EVENT if that is wrong")
        return mapped

    def dimensions_condition(self, dims: dict[str, Any], root: str, where: str,
                             comments: list[str]) -> list[str]:
        """Attributes/Metrics of an event filter or segment dimension -> JSONata terms."""
        terms: list[str] = []
        for key in ("Attributes", "UserAttributes"):
            for name, dim in (dims.get(key) or {}).items():
                path = f"{root}.{slug_id(name, 'a')}"
                values = [literal(str(v)) for v in dim.get("Values", [])]
                kind = dim.get("AttributeType", "INCLUSIVE")
                listed = "[" + ", ".join(values) + "]"
                if kind == "INCLUSIVE":
                    terms.append(f"{path} in {listed}")
                elif kind == "EXCLUSIVE":
                    terms.append(f"$not({path} in {listed})")
                elif kind == "CONTAINS" and values:
                    terms.append("(" + " or ".join(f"$contains({path}, {v})"
                                                   for v in values) + ")")
                else:
                    comments.append(self.note("unmapped", f"{where}.{key}.{name}",
                                              f"attribute comparison {kind} on {name!r}"))
        for name, metric in (dims.get("Metrics") or {}).items():
            op = OPERATORS.get(metric.get("ComparisonOperator", ""))
            path = f"{root}.{slug_id(name, 'm')}"
            if op is None:
                comments.append(self.note("unmapped", f"{where}.Metrics.{name}",
                                          f"operator {metric.get('ComparisonOperator')!r}"))
                continue
            value = metric.get("Value", 0)
            value = int(value) if float(value).is_integer() else value
            terms.append(f"{path} {op} {value}")
        for key in ("Demographic", "Location", "Behavior"):
            if dims.get(key):
                comments.append(self.note(
                    "unmapped", f"{where}.{key}", f"segment {key} dimensions are not "
                    "carried over" + (" (precise location is never used for targeting in "
                                      "Tact)" if key == "Location" else "")))
        return terms

    # ---------------------------------------------------------------- journey

    def convert(self) -> Conversion:
        name = str(self.data.get("Name") or self.data.get("Id") or "imported journey")
        journey_id = slug_id(name, "j")
        node: dict[str, Any] = {COMMENT: [
            f"Imported from Amazon Pinpoint journey {name!r}"
            + (f" (Id {self.data['Id']})" if self.data.get("Id") else "")
            + " by `tact import-pinpoint`.",
            "Lines marked UNMAPPED / APPROXIMATED / FILL IN need a look before deploying.",
        ]}
        node["id"] = journey_id
        node["name"] = name
        node["trigger"] = trigger(self)
        schedule(self, node[COMMENT])
        start = self.data.get("StartActivity")
        holdout = None
        if start in self.activities and "Holdout" in self.activities[start]:
            holdout, start = start_holdout(self, start)
        steps = self.unfold(start, (), "$.StartActivity") if start else []
        if not steps:
            steps = [{"exit": "nothing to do", COMMENT: [self.note(
                "unmapped", "$.Activities", "the journey has no activities Tact can run")]}]
        exit_on = exit_rules(self)
        if exit_on:
            node["exit_on"] = exit_on
        node.update(reentry(self))
        node[COMMENT] += self.header
        node["purpose"] = "marketing"
        if holdout is not None:
            node["holdout"] = holdout
        node["steps"] = steps
        for activity_id in self.activities:
            if activity_id not in self.visited:
                self.note("unmapped", f"$.Activities.{activity_id}",
                          "activity not reachable from StartActivity; not imported")
        settings = journey_settings(self)
        self.place_remaining(node, settings)
        return Conversion(journey_id, node, settings, self.templates,
                          self.template_sources, self.findings, self.webhook_uris)

    def place_remaining(self, journey: dict[str, Any], settings: dict[str, Any]) -> None:
        """Every finding not yet written beside its line goes in a header comment, so that
        nothing is only in the printed report."""
        from tact.pinpoint.emit import dump

        text = dump(journey) + dump(settings)
        for finding in self.findings:
            if finding.kind == "mapped":
                continue
            line = self.label(finding.kind) + f": {finding.message}"
            if line in text:
                continue
            target = settings if finding.where.startswith(SETTINGS_PATHS) else journey
            target.setdefault(COMMENT, []).append(line)
            text += line

    # -------------------------------------------------------------- activities

    visited: set[str]

    def unfold(self, activity_id: str | None, path: tuple[str, ...],
               where: str) -> list[dict[str, Any]]:
        steps: list[dict[str, Any]] = []
        while activity_id:
            if activity_id in path:
                raise PinpointError(where, f"activity {activity_id!r} leads back to itself")
            if activity_id not in self.activities:
                raise PinpointError(where, f"NextActivity {activity_id!r} is not in Activities")
            path = (*path, activity_id)
            self.visited.add(activity_id)
            activity = self.activities[activity_id]
            here = f"$.Activities.{activity_id}"
            made, nxt, branched = self.activity(activity_id, activity, path, here)
            if made and activity.get("Description"):
                made[0].setdefault(COMMENT, []).insert(
                    0, f"Pinpoint {activity_id}: {activity['Description']}")
            steps += made
            if branched:
                break
            activity_id, where = nxt, f"{here}.NextActivity"
        return steps

    def activity(self, activity_id: str, activity: dict[str, Any], path: tuple[str, ...],
                 where: str) -> Converted:
        kinds = [k for k in activity if k != "Description"]
        if len(kinds) != 1:
            raise PinpointError(where, f"an activity has exactly one type, found {kinds}")
        kind = kinds[0]
        converter = ACTIVITIES.get(kind)
        if converter is None:
            raise PinpointError(where, f"unknown activity type {kind!r}")
        return converter(self, activity_id, activity[kind] or {}, path, where)

    def branch(self, activity_id: str | None, path: tuple[str, ...],
               where: str) -> list[dict[str, Any]]:
        return self.unfold(activity_id, path, where) if activity_id else []


Converted = tuple[list[dict[str, Any]], str | None, bool]  # steps, next activity, branched
ActivityConverter = Callable[[Converter, str, dict[str, Any], tuple[str, ...], str], Converted]


def _send(kind: str) -> ActivityConverter:
    def converted(conv: Converter, activity_id: str, spec: dict[str, Any],
                  path: tuple[str, ...], where: str) -> Converted:
        return [send(conv, activity_id, kind, spec, where)], spec.get("NextActivity"), False

    return converted


def _wait(conv: Converter, activity_id: str, spec: dict[str, Any], path: tuple[str, ...],
          where: str) -> Converted:
    return [wait_step(conv, activity_id, spec.get("WaitTime") or {}, f"{where}.Wait")], \
        spec.get("NextActivity"), False


def _branching(steps_of: Callable[[Converter, str, dict[str, Any], tuple[str, ...], str],
                                 list[dict[str, Any]]]) -> ActivityConverter:
    def converted(conv: Converter, activity_id: str, spec: dict[str, Any],
                  path: tuple[str, ...], where: str) -> Converted:
        return steps_of(conv, activity_id, spec, path, where), None, True  # branches end the path

    return converted


# Pinpoint activity type -> its converter (the keys of an ``Activities`` entry).
ACTIVITIES: dict[str, ActivityConverter] = {
    **{kind: _send(kind) for kind in CHANNELS},
    "Wait": _wait,
    "ContactCenter": contact_center,
    "Holdout": _branching(mid_holdout),
    "RandomSplit": _branching(random_split),
    "ConditionalSplit": _branching(conditional_split),
    "MultiCondition": _branching(multi_condition),
}


def convert(data: dict[str, Any], event_map: dict[str, str] | None = None,
            trigger: str | None = None) -> Conversion:
    if not isinstance(data, dict):
        raise PinpointError("$", "expected a JSON object (a JourneyResponse)")
    if "JourneyResponse" in data and isinstance(data["JourneyResponse"], dict):
        data = data["JourneyResponse"]  # `aws pinpoint get-journey` wraps it
    elif "WriteJourneyRequest" in data and isinstance(data["WriteJourneyRequest"], dict):
        data = data["WriteJourneyRequest"]
    if not isinstance(data.get("Activities", {}), dict):
        raise PinpointError("$.Activities", "expected an object of activities by id")
    converter = Converter(data, event_map or {}, trigger)
    converter.visited = set()
    return converter.convert()
