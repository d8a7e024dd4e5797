"""Map one Pinpoint journey (``JourneyResponse`` or ``WriteJourneyRequest``) to Tact nodes.

Pinpoint activities form a graph (each names its ``NextActivity``); Tact steps form a tree.
The graph is unfolded from ``StartActivity``: where two paths meet again, the shared tail is
repeated in each branch with fresh step ids. Everything that has no Tact equivalent is kept
as a finding (for the printed report) and as a comment in the output -- never dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tact.pinpoint.emit import COMMENT

# Pinpoint event names -> Tact events (custom event names are the shop's own choice).
EVENT_SYNONYMS = {
    "cart": "cart_updated", "add_to_cart": "cart_updated", "cart_abandoned": "cart_updated",
    "cart_update": "cart_updated", "abandoned_cart": "cart_updated",
    "checkout": "checkout_started", "begin_checkout": "checkout_started",
    "purchase": "purchase_completed", "order_completed": "purchase_completed",
    "_monetization.purchase": "purchase_completed", "order": "purchase_completed",
    "sign_up": "signup", "_userauth.sign_up": "signup", "registration": "signup",
    "refund": "order_refunded",
}
_OPERATORS = {"GREATER_THAN": ">", "LESS_THAN": "<", "GREATER_THAN_OR_EQUAL": ">=",
              "LESS_THAN_OR_EQUAL": "<=", "EQUAL": "="}
_CHANNELS = {"EMAIL": "email", "SMS": "sms", "PUSH": "push", "CUSTOM": "webhook"}
_DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
_ISO_DURATION = re.compile(
    r"^P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$")
MAX_HOLDOUT = 0.5  # Tact's journey-level holdout share
_SETTINGS_PATHS = ("$.Limits.DailyCap", "$.Limits.TimeframeCap", "$.Limits.TotalCap",
                   "$.Limits.MessagesPerSecond", "$.QuietTime", "$.OpenHours", "$.ClosedDays")


class PinpointError(ValueError):
    """The file is not a Pinpoint journey we can read; ``where`` is a JSON path."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass
class Finding:
    kind: str  # "unmapped" | "approximated" | "fill_in" | "mapped"
    where: str  # JSON path in the Pinpoint file
    message: str


@dataclass
class Conversion:
    journey_id: str
    journey: dict[str, Any]
    settings: dict[str, Any]
    templates: dict[str, set[str]]  # template name -> channels used with it
    template_sources: dict[str, str]  # template name -> Pinpoint TemplateName/version
    findings: list[Finding] = field(default_factory=list)
    webhook_uris: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Finding]:
        """Findings of one kind, once each (an unfolded shared tail repeats them)."""
        seen: dict[tuple[str, str], Finding] = {}
        for f in self.findings:
            if f.kind == kind:
                seen.setdefault((f.where, f.message), f)
        return list(seen.values())


def iso_duration(text: str, where: str) -> str:
    """``PT2H`` -> ``2h``; years and months have no fixed length and are refused."""
    match = _ISO_DURATION.match(text or "")
    if not match or not any(match.groupdict().values()):
        raise PinpointError(where, f"{text!r} is not an ISO 8601 duration Tact can use "
                            "(weeks, days, hours, minutes, seconds; e.g. PT2H, P1D)")
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    seconds = (parts.get("w", 0) * 604800 + parts.get("d", 0) * 86400 + parts.get("h", 0) * 3600
               + parts.get("m", 0) * 60 + parts.get("s", 0))
    from tact.journey.durations import format_duration

    return format_duration(seconds)


def slug_id(text: str, prefix: str = "s") -> str:
    value = re.sub(r"[^a-z0-9_]+", "_", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text).lower())
    value = value.strip("_") or prefix
    if not value[0].isalpha():
        value = f"{prefix}_{value}"
    return value[:40].rstrip("_")


def _literal(value: str) -> str:
    """Pinpoint attribute values are strings; numbers and booleans become JSONata literals."""
    if value.lower() in ("true", "false"):
        return value.lower()
    try:
        float(value)
        return value
    except ValueError:
        return json.dumps(value)


class _Converter:
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
                values = [_literal(str(v)) for v in dim.get("Values", [])]
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
            op = _OPERATORS.get(metric.get("ComparisonOperator", ""))
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
        node["trigger"] = self.trigger()
        self.schedule(node[COMMENT])
        start = self.data.get("StartActivity")
        holdout = None
        if start in self.activities and "Holdout" in self.activities[start]:
            holdout, start = self.start_holdout(start)
        steps = self.unfold(start, (), "$.StartActivity") if start else []
        if not steps:
            steps = [{"exit": "nothing to do", COMMENT: [self.note(
                "unmapped", "$.Activities", "the journey has no activities Tact can run")]}]
        exit_on = self.exit_rules()
        if exit_on:
            node["exit_on"] = exit_on
        node.update(self.reentry())
        node[COMMENT] += self.header
        node["purpose"] = "marketing"
        if holdout is not None:
            node["holdout"] = holdout
        node["steps"] = steps
        for activity_id in self.activities:
            if activity_id not in self.visited:
                self.note("unmapped", f"$.Activities.{activity_id}",
                          "activity not reachable from StartActivity; not imported")
        settings = self.settings()
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
            target = settings if finding.where.startswith(_SETTINGS_PATHS) else journey
            target.setdefault(COMMENT, []).append(line)
            text += line

    def trigger(self) -> dict[str, Any]:
        where = "$.StartCondition"
        start = self.data.get("StartCondition") or {}
        comments: list[str] = []
        if self.trigger_override:
            comments.append(f"trigger given on the command line (--trigger "
                            f"{self.trigger_override})")
        if start.get("SegmentStartCondition"):
            segment = start["SegmentStartCondition"].get("SegmentId", "?")
            if self.trigger_override:
                comments.append(self.note(
                    "approximated", f"{where}.SegmentStartCondition", f"Pinpoint started this "
                    f"journey for segment {segment}; Tact starts it on the event "
                    f"{self.trigger_override} (segments are not imported)"))
            else:
                comments.append(self.note(
                    "fill_in", f"{where}.SegmentStartCondition", f"segment start (segment "
                    f"{segment}) has no Tact equivalent: replace the event below with the shop "
                    "event that should enter customers, or re-import with --trigger EVENT"))
        event_start = start.get("EventStartCondition") or {}
        if event_start.get("SegmentId"):
            comments.append(self.note("unmapped", f"{where}.EventStartCondition.SegmentId",
                                      f"only members of segment {event_start['SegmentId']} "
                                      "entered in Pinpoint; add a `when` condition for them"))
        dims = (event_start.get("EventFilter") or {}).get("Dimensions") or {}
        event_type = dims.get("EventType") or {}
        names = [str(v) for v in event_type.get("Values", [])]
        if event_type.get("DimensionType") == "EXCLUSIVE":
            comments.append(self.note("unmapped", f"{where}.EventStartCondition.EventFilter",
                                      f"start on every event except {names}"))
            names = []
        event = self.trigger_override
        if event is None:
            for i, pinpoint_name in enumerate(names):
                mapped = self.map_event(pinpoint_name, f"{where}.EventStartCondition."
                                        f"EventFilter.Dimensions.EventType.Values[{i}]")
                if mapped and event is None:
                    event = mapped
                elif mapped:
                    comments.append(self.note("unmapped", f"{where}.EventStartCondition",
                                              f"second start event {pinpoint_name!r}: Tact "
                                              "journeys have one trigger; import a copy"))
                else:
                    comments.append(self.note(
                        "fill_in", f"{where}.EventStartCondition", f"Pinpoint event "
                        f"{pinpoint_name!r} has no Tact event: pick one of "
                        f"{', '.join(sorted(self.event_types))} (or --event-map)"))
        self.trigger_event = event
        trigger: dict[str, Any] = {COMMENT: comments} if comments else {}
        trigger["event"] = event or "FILL_IN_trigger_event"
        noun = _noun(event)
        terms = self.dimensions_condition(dims, noun or "event.data", f"{where}.EventStart"
                                          "Condition.EventFilter.Dimensions", comments)
        if terms:
            trigger["when"] = " and ".join(terms)
        return trigger

    def schedule(self, comments: list[str]) -> None:
        schedule = self.data.get("Schedule") or {}
        if schedule.get("StartTime") or schedule.get("EndTime"):
            comments.append(self.note(
                "unmapped", "$.Schedule", f"Pinpoint ran this journey from "
                f"{schedule.get('StartTime', 'its activation')} to "
                f"{schedule.get('EndTime', 'open end')} ({schedule.get('Timezone', 'UTC')}): "
                "Tact journeys run from deploy to removal; deploy and remove on those dates"))
        if self.data.get("LocalTime") is not None:
            self.note("mapped", "$.LocalTime", "Tact always applies quiet hours in the "
                      "customer's own time zone")
        if self.data.get("WaitForQuietTime") is False:
            comments.append(self.note("approximated", "$.WaitForQuietTime",
                                      "Pinpoint skipped messages due in quiet time; Tact "
                                      "defers them to the end of quiet hours"))
        channel = self.data.get("JourneyChannelSettings") or {}
        if channel:
            comments.append(self.note("unmapped", "$.JourneyChannelSettings",
                                      "Amazon Connect campaign settings (contact center) "
                                      "are not used by Tact"))
        for key in ("RefreshFrequency", "RefreshOnSegmentUpdate", "TimezoneEstimationMethods"):
            if self.data.get(key) not in (None, [], False):
                self.note("unmapped", f"$.{key}", f"{key} has no meaning without segments")

    def exit_rules(self) -> list[Any]:
        from tact.journey.guardrails import CART_EVENTS, PURCHASE

        if self.trigger_event in CART_EVENTS:
            self.note("approximated", "$.StartCondition", f"added exit_on {PURCHASE}: Tact "
                      "requires cart journeys to stop when the customer buys")
            return [PURCHASE]
        return []

    def reentry(self) -> dict[str, Any]:
        limits = self.data.get("Limits") or {}
        where = "$.Limits"
        out: dict[str, Any] = {}
        interval = limits.get("EndpointReentryInterval")
        cap = limits.get("EndpointReentryCap")
        comments: list[str] = []
        if interval:
            out["reentry"] = "allow"
            out["reentry_interval"] = iso_duration(interval, f"{where}.EndpointReentryInterval")
        if cap not in (None, 0):
            comments.append(self.note(
                "approximated", f"{where}.EndpointReentryCap", f"Pinpoint let a customer enter "
                f"at most {cap} time(s); Tact has no lifetime entry count"
                + ("" if interval else " -- `reentry: ignore` keeps one entry at a time")))
        elif cap == 0 and not interval:
            out["reentry"] = "allow"
            self.note("mapped", f"{where}.EndpointReentryCap", "0 (unlimited) -> reentry: allow")
        if "reentry" not in out:
            out["reentry"] = "ignore"
        self.header += comments
        return out

    def start_holdout(self, start: str) -> tuple[float | None, str | None]:
        activity = self.activities[start]
        self.visited.add(start)
        percentage = int(activity["Holdout"].get("Percentage", 0))
        share = percentage / 100
        nxt = activity["Holdout"].get("NextActivity")
        if share > MAX_HOLDOUT:
            self.note("approximated", f"$.Activities.{start}.Holdout",
                      f"holdout of {percentage}% reduced to Tact's maximum of 50%")
            share = MAX_HOLDOUT
        else:
            self.note("mapped", f"$.Activities.{start}.Holdout", f"{percentage}% -> journey "
                      "holdout (control group tracked for conversion)")
        return share, nxt

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
                 where: str) -> tuple[list[dict[str, Any]], str | None, bool]:
        kinds = [k for k in activity if k != "Description"]
        if len(kinds) != 1:
            raise PinpointError(where, f"an activity has exactly one type, found {kinds}")
        kind = kinds[0]
        spec = activity[kind] or {}
        if kind in _CHANNELS:
            return [self.send(activity_id, kind, spec, where)], spec.get("NextActivity"), False
        if kind == "Wait":
            return [self.wait(activity_id, spec.get("WaitTime") or {}, f"{where}.Wait")], \
                spec.get("NextActivity"), False
        if kind == "ContactCenter":
            comment = self.note("unmapped", where, "ContactCenter (Amazon Connect call) has no "
                                "Tact equivalent; the customer continues with the next step")
            follow = self.unfold(spec.get("NextActivity"), path, f"{where}.NextActivity") \
                if spec.get("NextActivity") else []
            if follow:
                follow[0].setdefault(COMMENT, []).insert(0, comment)
            else:
                follow = [{"exit": "end of imported journey", COMMENT: [comment]}]
            return follow, None, True
        if kind == "Holdout":
            return self.mid_holdout(activity_id, spec, path, where), None, True
        if kind == "RandomSplit":
            return self.random_split(activity_id, spec, path, where), None, True
        if kind == "ConditionalSplit":
            return self.conditional_split(activity_id, spec, path, where), None, True
        if kind == "MultiCondition":
            return self.multi_condition(activity_id, spec, path, where), None, True
        raise PinpointError(where, f"unknown activity type {kind!r}")

    def send(self, activity_id: str, kind: str, spec: dict[str, Any],
             where: str) -> dict[str, Any]:
        channel = _CHANNELS[kind]
        comments: list[str] = []
        template_name = spec.get("TemplateName")
        if template_name:
            template = slug_id(template_name, "t")
            self.template_sources[template] = template_name + (
                f" (version {spec['TemplateVersion']})" if spec.get("TemplateVersion") else "")
        else:
            template = self.unique_template(activity_id)
            comments.append(self.note("fill_in", f"{where}.{kind}", "no TemplateName: write "
                                      f"the message in templates/{template}.yaml"))
        self.templates.setdefault(template, set()).add(channel)
        config = spec.get("MessageConfig") or {}
        if kind == "EMAIL" and config.get("FromAddress"):
            self.from_addresses.append(config["FromAddress"])
        if kind == "SMS":
            for key in ("OriginationNumber", "SenderId", "EntityId", "TemplateId", "MessageType"):
                if config.get(key):
                    comments.append(self.note("unmapped", f"{where}.SMS.MessageConfig.{key}",
                                              f"SMS {key} {config[key]!r}: configure it in AWS "
                                              "End User Messaging for the sending account"))
        if kind == "PUSH" and config.get("TimeToLive"):
            comments.append(self.note("unmapped", f"{where}.PUSH.MessageConfig.TimeToLive",
                                      f"push time to live {config['TimeToLive']}s"))
        if kind == "CUSTOM":
            if spec.get("DeliveryUri"):
                self.webhook_uris.append(spec["DeliveryUri"])
                comments.append(self.note(
                    "fill_in", f"{where}.CUSTOM.DeliveryUri", f"custom channel -> webhook: set "
                    f"the webhook URL to {spec['DeliveryUri']} (TACT_WEBHOOK_URL; an https "
                    "endpoint, not a Lambda ARN)"))
            if spec.get("EndpointTypes"):
                comments.append(self.note("unmapped", f"{where}.CUSTOM.EndpointTypes",
                                          f"endpoint types {spec['EndpointTypes']}"))
            if config.get("Data"):
                comments.append(self.note("approximated", f"{where}.CUSTOM.MessageConfig.Data",
                                          f"custom data moved to templates/{template}.yaml"))
        step: dict[str, Any] = {"send": {"id": self.unique(slug_id(activity_id)),
                                         "channel": channel, "template": template}}
        if comments:
            step[COMMENT] = comments
        return step

    def unique_template(self, activity_id: str) -> str:
        return slug_id(f"{activity_id}_message", "t")

    def wait(self, activity_id: str, wait: dict[str, Any], where: str) -> dict[str, Any]:
        if wait.get("WaitFor"):
            return {"wait": {"id": self.unique(slug_id(activity_id)),
                             "duration": iso_duration(wait["WaitFor"], f"{where}.WaitFor")}}
        if wait.get("WaitUntil"):
            moment = str(wait["WaitUntil"])
            try:
                datetime.fromisoformat(moment.replace("Z", "+00:00"))
            except ValueError:
                raise PinpointError(f"{where}.WaitUntil", f"{moment!r} is not an ISO 8601 "
                                    "date and time") from None
            return {"wait": {"id": self.unique(slug_id(activity_id)),
                             "until": json.dumps(moment).replace('"', "'")},
                    COMMENT: ["Pinpoint WaitUntil: a fixed date; once it has passed, customers "
                              "go straight on"]}
        raise PinpointError(where, "a Wait needs WaitFor or WaitUntil")

    def evaluation_wait(self, activity_id: str, spec: dict[str, Any],
                        where: str) -> list[dict[str, Any]]:
        wait = spec.get("EvaluationWaitTime")
        if not wait or not (wait.get("WaitFor") or wait.get("WaitUntil")):
            return []
        step = self.wait(f"{activity_id}_evaluation", wait, f"{where}.EvaluationWaitTime")
        step.setdefault(COMMENT, []).insert(0, "Pinpoint evaluated the condition after this wait")
        return [step]

    def condition(self, simple: dict[str, Any], where: str,
                  comments: list[str]) -> str | None:
        terms: list[str] = []
        if simple.get("SegmentDimensions"):
            terms += self.dimensions_condition(simple["SegmentDimensions"], "customer",
                                               f"{where}.SegmentDimensions", comments)
        if simple.get("SegmentCondition"):
            comments.append(self.note("unmapped", f"{where}.SegmentCondition", "membership of "
                                      f"segment {simple['SegmentCondition'].get('SegmentId')}"))
            return None
        if simple.get("EventCondition"):
            event = simple["EventCondition"]
            names = ((event.get("Dimensions") or {}).get("EventType") or {}).get("Values", [])
            about = f" of activity {event['MessageActivity']}" if event.get("MessageActivity") \
                else ""
            comments.append(self.note(
                "unmapped", f"{where}.EventCondition", f"event condition {names}{about}: Tact "
                "has no wait-for-event step (wait_for) yet, so this condition is never met"))
            return None
        return " and ".join(terms) if terms else None

    def combined(self, condition: dict[str, Any], where: str,
                 comments: list[str]) -> str | None:
        parts = []
        for i, simple in enumerate(condition.get("Conditions") or []):
            term = self.condition(simple, f"{where}.Conditions[{i}]", comments)
            parts.append(term)
        operator = condition.get("Operator", "ALL")
        if operator == "ALL":
            if any(p is None for p in parts) or not parts:
                return None  # an unmappable part makes the whole condition unknowable
            return " and ".join(f"({p})" if len(parts) > 1 else p for p in parts)
        known = [p for p in parts if p is not None]
        return " or ".join(f"({p})" if len(known) > 1 else p for p in known) or None

    def branch(self, activity_id: str | None, path: tuple[str, ...],
               where: str) -> list[dict[str, Any]]:
        return self.unfold(activity_id, path, where) if activity_id else []

    def awaited_event(self, spec: dict[str, Any], where: str) -> str | None:
        """The Tact event of a yes/no split that only asks "did event X happen during the
        evaluation wait?" -- exactly a ``wait_for`` with that timeout."""
        conditions = (spec.get("Condition") or {}).get("Conditions") or []
        wait = spec.get("EvaluationWaitTime") or {}
        if "wait_for" not in self.step_kinds or len(conditions) != 1 or not wait.get("WaitFor"):
            return None
        event = conditions[0].get("EventCondition") or {}
        if set(conditions[0]) != {"EventCondition"} or event.get("MessageActivity"):
            return None
        dims = event.get("Dimensions") or {}
        names = (dims.get("EventType") or {}).get("Values") or []
        if len(names) != 1 or dims.get("Attributes") or dims.get("Metrics") or (
                dims.get("EventType") or {}).get("DimensionType") == "EXCLUSIVE":
            return None
        return self.map_event(str(names[0]), f"{where}.Condition.Conditions[0].EventCondition")

    def conditional_split(self, activity_id: str, spec: dict[str, Any],
                          path: tuple[str, ...], where: str) -> list[dict[str, Any]]:
        awaited = self.awaited_event(spec, f"{where}.ConditionalSplit")
        if awaited:
            here = f"{where}.ConditionalSplit"
            self.note("mapped", here, f"yes/no split on {awaited} within the evaluation wait "
                      "-> wait_for")
            wait_for: dict[str, Any] = {
                "id": self.unique(slug_id(activity_id)), "event": awaited,
                "timeout": iso_duration(spec["EvaluationWaitTime"]["WaitFor"],
                                        f"{here}.EvaluationWaitTime.WaitFor")}
            yes = self.branch(spec.get("TrueActivity"), path, f"{here}.TrueActivity")
            no = self.branch(spec.get("FalseActivity"), path, f"{here}.FalseActivity")
            if yes:
                wait_for["on_event"] = yes
            if no:
                wait_for["on_timeout"] = no
            return [{"wait_for": wait_for}]
        comments: list[str] = []
        condition = self.combined(spec.get("Condition") or {}, f"{where}.ConditionalSplit"
                                  ".Condition", comments)
        yes = self.branch(spec.get("TrueActivity"), path, f"{where}.ConditionalSplit"
                          ".TrueActivity")
        no = self.branch(spec.get("FalseActivity"), path, f"{where}.ConditionalSplit"
                         ".FalseActivity")
        return self.split_steps(activity_id, spec, [(condition, yes)], no, comments,
                                f"{where}.ConditionalSplit")

    def multi_condition(self, activity_id: str, spec: dict[str, Any], path: tuple[str, ...],
                        where: str) -> list[dict[str, Any]]:
        comments: list[str] = []
        branches = []
        for i, branch in enumerate(spec.get("Branches") or []):
            here = f"{where}.MultiCondition.Branches[{i}]"
            condition = self.condition(branch.get("Condition") or {}, f"{here}.Condition",
                                       comments)
            branches.append((condition, self.branch(branch.get("NextActivity"), path,
                                                    f"{here}.NextActivity")))
        default = self.branch(spec.get("DefaultActivity"), path,
                              f"{where}.MultiCondition.DefaultActivity")
        return self.split_steps(activity_id, spec, branches, default, comments,
                                f"{where}.MultiCondition")

    def split_steps(self, activity_id: str, spec: dict[str, Any],
                    branches: list[tuple[str | None, list[dict[str, Any]]]],
                    default: list[dict[str, Any]], comments: list[str],
                    where: str) -> list[dict[str, Any]]:
        steps = self.evaluation_wait(activity_id, spec, where)
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
        split = {COMMENT: comments, "id": self.unique(slug_id(activity_id)), "split": items}
        if not comments:
            del split[COMMENT]
        return [*steps, split]

    def random_split(self, activity_id: str, spec: dict[str, Any], path: tuple[str, ...],
                     where: str) -> list[dict[str, Any]]:
        variants = []
        comments: list[str] = []
        names: set[str] = set()
        for i, branch in enumerate(spec.get("Branches") or []):
            here = f"{where}.RandomSplit.Branches[{i}]"
            weight = branch.get("Percentage", 0)
            nxt = branch.get("NextActivity")
            if not weight:
                comments.append(self.note("unmapped", here, "a 0% branch never gets anyone; "
                                          "left out"))
                continue
            name = slug_id(nxt or f"branch_{i + 1}", "v")
            while name in names:
                name += "_b"
            names.add(name)
            variants.append({"name": name, "weight": weight,
                             "steps": self.branch(nxt, path, f"{here}.NextActivity")})
        if len(variants) < 2:
            raise PinpointError(f"{where}.RandomSplit", "a random split needs two branches "
                                "with a Percentage above 0")
        if "ab_split" not in self.step_kinds:  # the journey language may not have it yet
            first = variants[0]["steps"]
            comment = self.note("unmapped", f"{where}.RandomSplit", "Tact has no ab_split step "
                                "kind here; only the first branch was kept")
            return [{**first[0], COMMENT: [comment]}, *first[1:]] if first else [
                {"exit": "random split not imported", COMMENT: [comment]}]
        self.note("mapped", f"{where}.RandomSplit", "RandomSplit -> ab_split (deterministic "
                  "per customer)")
        step = {"id": self.unique(slug_id(activity_id)), "ab_split": variants}
        if comments:
            step[COMMENT] = comments
        return [step]

    def mid_holdout(self, activity_id: str, spec: dict[str, Any], path: tuple[str, ...],
                    where: str) -> list[dict[str, Any]]:
        percentage = int(spec.get("Percentage", 0))
        rest = self.branch(spec.get("NextActivity"), path, f"{where}.Holdout.NextActivity")
        comment = self.note("approximated", f"{where}.Holdout", f"a {percentage}% holdout in "
                            "the middle of the journey becomes an ab_split whose `holdout` "
                            "variant gets nothing more (Tact's journey-level holdout applies "
                            "at entry only, and is reported as the control group)")
        if not percentage:
            return rest
        if "ab_split" not in self.step_kinds:
            self.note("unmapped", f"{where}.Holdout", "no ab_split step kind: holdout dropped")
            return rest
        if percentage >= 100:
            return [{"exit": "holdout of 100%", COMMENT: [comment]}]
        return [{COMMENT: [comment], "id": self.unique(slug_id(activity_id)), "ab_split": [
            {"name": "holdout", "weight": percentage, "steps": []},
            {"name": "continue", "weight": 100 - percentage, "steps": rest}]}]

    # ---------------------------------------------------------------- settings

    def settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        limits = self.data.get("Limits") or {}
        where = "$.Limits"
        caps: list[dict[str, Any]] = []
        cap_comments: list[str] = []
        if limits.get("DailyCap"):
            caps.append({"max": int(limits["DailyCap"]), "per": "24h"})
            cap_comments.append(self.note("approximated", f"{where}.DailyCap", f"DailyCap "
                                          f"{limits['DailyCap']} -> marketing cap "
                                          f"{limits['DailyCap']} per 24h; in Tact caps count "
                                          "messages of all journeys together"))
        timeframe = limits.get("TimeframeCap") or {}
        if timeframe.get("Cap") and timeframe.get("Days"):
            caps.append({"max": int(timeframe["Cap"]), "per": f"{int(timeframe['Days'])}d"})
            cap_comments.append(self.note("approximated", f"{where}.TimeframeCap",
                                          f"TimeframeCap {timeframe['Cap']} in "
                                          f"{timeframe['Days']} days -> marketing cap over "
                                          f"{timeframe['Days']}d across journeys"))
        if limits.get("TotalCap"):
            cap_comments.append(self.note("unmapped", f"{where}.TotalCap", f"TotalCap "
                                          f"{limits['TotalCap']} (messages per endpoint over "
                                          "the journey's life) has no Tact equivalent"))
        if limits.get("MessagesPerSecond"):
            cap_comments.append(self.note("unmapped", f"{where}.MessagesPerSecond",
                                          f"{limits['MessagesPerSecond']} messages/second: "
                                          "throughput follows your SES/End User Messaging "
                                          "quotas and Lambda concurrency"))
        if caps:
            out["caps"] = {COMMENT: cap_comments, "marketing": {"any": caps},
                           "transactional": {}}
        elif cap_comments:
            out[COMMENT] = cap_comments
        quiet = self.data.get("QuietTime") or {}
        hours = self.open_hours()
        if quiet.get("Start") and quiet.get("End"):
            out["quiet_hours"] = {"start": quiet["Start"], "end": quiet["End"]}
            self.note("mapped", "$.QuietTime", f"{quiet['Start']}-{quiet['End']} -> quiet_hours "
                      "(customer's local time)")
            if hours:
                self.note("unmapped", "$.OpenHours", "OpenHours and QuietTime both set; "
                          "QuietTime kept")
        elif hours:
            out["quiet_hours"] = hours
        closed = self.data.get("ClosedDays") or {}
        rules = [(ch, r) for ch, items in closed.items() for r in items or []]
        if rules:
            lines = [f"{ch}: {r.get('Name', '')} {r.get('StartDateTime')} .. "
                     f"{r.get('EndDateTime')}" for ch, r in rules]
            comment = self.note("unmapped", "$.ClosedDays", "closed days have no Tact "
                                "equivalent yet (no sends on these dates): " + "; ".join(lines))
            out.setdefault(COMMENT, []).append(comment)
        if self.from_addresses:
            sender = self.from_addresses[0]
            out["senders"] = {"email": {"from": sender}}
            if len(set(self.from_addresses)) > 1:
                self.note("approximated", "$.Activities", "several FromAddress values; Tact "
                          f"has one sender per project, {sender!r} kept")
        return out

    def open_hours(self) -> dict[str, Any] | None:
        """One daily window on all days and channels -> quiet hours outside it."""
        open_hours = self.data.get("OpenHours") or {}
        windows = set()
        days = set()
        for channel, by_day in open_hours.items():
            for day, rules in (by_day or {}).items():
                days.add(day)
                for rule in rules or []:
                    windows.add((channel, rule.get("StartTime"), rule.get("EndTime")))
        if not windows:
            return None
        spans = {(s, e) for _, s, e in windows}
        start, end = sorted(spans)[0]
        exact = len(spans) == 1 and days == set(_DAYS)
        self.note("approximated" if not exact else "mapped", "$.OpenHours",
                  f"open hours {start}-{end} -> quiet hours {end}-{start} every day for all "
                  "channels" + ("" if exact else f" (Pinpoint's differ by day or channel: "
                                f"{sorted(days)}, {sorted(windows)})"))
        return {"start": end, "end": start}


def _noun(event: str | None) -> str | None:
    from tact.expressions import EVENT_NOUNS

    return EVENT_NOUNS.get(event or "")


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
    converter = _Converter(data, event_map or {}, trigger)
    converter.visited = set()
    return converter.convert()
