"""Pinpoint campaigns and segment-started journeys -> Tact broadcasts plus a segment scaffold.

A campaign (``SegmentId`` + ``Schedule``) is one message to a segment at a time: a broadcast.
A journey that starts from a segment (``SegmentStartCondition``) imported with
``--broadcast`` becomes one broadcast per message its first activities can reach: the journey
is converted as usual, then each path to its first send becomes a broadcast whose ``when``
holds the path's split conditions (first match wins, as in the split). What a broadcast
cannot be -- waits before the send, follow-up messages, recurring entry of new segment
members -- is reported. The segment is written to ``segments/<id>.yaml``: its dimensions
where a Pinpoint segment definition is given (``--segment``, ``aws pinpoint get-segment``),
else a condition to fill in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tact.pinpoint.emit import COMMENT
from tact.pinpoint.findings import MAX_HOLDOUT, Finding, findings_of, slug_id

FILL_IN_CONDITION = "FILL_IN_segment_condition"
FILL_IN_AT = "FILL_IN_date_and_local_time"


@dataclass
class BroadcastConversion:
    broadcasts: dict[str, dict[str, Any]]
    segment_id: str
    segment: dict[str, Any]
    templates: dict[str, set[str]]
    template_sources: dict[str, str]
    findings: list[Finding] = field(default_factory=list)

    def of(self, kind: str) -> list[Finding]:
        return findings_of(self.findings, kind)


def is_campaign(data: dict[str, Any]) -> bool:
    body = data.get("CampaignResponse") or data
    return "SegmentId" in body and "Activities" not in body


def _note(findings: list[Finding], kind: str, where: str, message: str) -> str:
    findings.append(Finding(kind, where, message))
    return {"unmapped": "UNMAPPED", "approximated": "APPROXIMATED",
            "fill_in": "FILL IN"}.get(kind, "NOTE") + f": {message}"


def segment_scaffold(segment_id: str, definition: dict[str, Any] | None,
                     findings: list[Finding]) -> tuple[str, dict[str, Any]]:
    """``segments/<id>.yaml``: the segment's dimensions as a condition where they can be."""
    from tact.pinpoint.convert import Converter

    body = (definition or {}).get("SegmentResponse") or definition or {}
    name = str(body.get("Name") or f"Pinpoint segment {segment_id}")
    ident = slug_id(body.get("Name") or f"segment_{segment_id[:8]}", "s")
    comments = [f"Pinpoint segment {segment_id} ({name}), by `tact import-pinpoint`."]
    terms: list[str] = []
    if body:
        converter = Converter({}, {}, None)
        terms = converter.dimensions_condition(body.get("Dimensions") or {}, "customer",
                                               "$.Dimensions", comments)
        groups = body.get("SegmentGroups") or {}
        if groups.get("Groups"):
            comments.append(converter.note("unmapped", "$.SegmentGroups", "segment groups "
                                           "(combinations of segments) are not carried over"))
        if body.get("ImportDefinition"):
            comments.append(converter.note("unmapped", "$.ImportDefinition", "an imported "
                                           "(static) segment's member list: give its "
                                           "customers a tag and select `'x' in "
                                           "customer.tags`"))
        findings += converter.findings
    if not terms:
        comments.append(_note(findings, "fill_in", "$.SegmentId", f"the condition of segment "
                              f"{segment_id}: write it on the customer model (e.g. "
                              "customer.lifecycle_stage = 'lapsed')"
                              + ("" if body else "; or re-import with --segment FILE "
                                 "(aws pinpoint get-segment)")))
    node = {COMMENT: comments, "id": ident, "name": name,
            "when": " and ".join(terms) if terms else FILL_IN_CONDITION}
    return ident, node


def _at(schedule: dict[str, Any], local: bool, where: str, findings: list[Finding],
        comments: list[str]) -> Any:
    start = schedule.get("StartTime")
    if not start or start == "IMMEDIATE":
        comments.append(_note(findings, "fill_in", f"{where}.StartTime", "when to send: "
                              "{date, local_time} in each customer's zone, or an instant"))
        return FILL_IN_AT
    try:
        moment = datetime.fromisoformat(str(start).replace("Z", "+00:00"))
    except ValueError:
        comments.append(_note(findings, "fill_in", f"{where}.StartTime",
                              f"start time {start!r} is not ISO 8601"))
        return FILL_IN_AT
    if local:
        _note(findings, "mapped", f"{where}.StartTime", "local time -> at: {date, local_time}")
        return {"date": moment.date().isoformat(), "local_time": moment.strftime("%H:%M")}
    if moment.tzinfo is None:
        comments.append(_note(findings, "approximated", f"{where}.Timezone",
                              f"start time without an offset taken as UTC (Pinpoint time "
                              f"zone {schedule.get('Timezone', 'UTC')!r})"))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat()


def campaign_broadcast(data: dict[str, Any],
                       segment: dict[str, Any] | None) -> BroadcastConversion:
    body = data.get("CampaignResponse") or data
    findings: list[Finding] = []
    name = str(body.get("Name") or body.get("Id") or "imported campaign")
    ident = slug_id(name, "b")
    comments = [f"Imported from Amazon Pinpoint campaign {name!r} by `tact import-pinpoint`.",
                "Lines marked UNMAPPED / APPROXIMATED / FILL IN need a look before deploying."]
    segment_id, segment_node = segment_scaffold(str(body.get("SegmentId")), segment, findings)
    schedule = body.get("Schedule") or {}
    if schedule.get("Frequency", "ONCE") != "ONCE":
        comments.append(_note(findings, "unmapped", "$.Schedule.Frequency", f"a "
                              f"{schedule['Frequency']} campaign repeats; a broadcast sends "
                              "once: import each run as its own broadcast, or use a journey"))
    if schedule.get("EndTime"):
        comments.append(_note(findings, "unmapped", "$.Schedule.EndTime", "an end time: a "
                              "broadcast ends when its last wave is sent"))
    if schedule.get("QuietTime"):
        quiet = schedule["QuietTime"]
        comments.append(_note(findings, "approximated", "$.Schedule.QuietTime", f"quiet time "
                              f"{quiet.get('Start')}-{quiet.get('End')}: Tact's quiet hours "
                              "are project-wide (settings.yaml quiet_hours)"))
    templates: dict[str, set[str]] = {}
    sources: dict[str, str] = {}
    template = ident
    channels: list[str] = []
    for key, value in (body.get("TemplateConfiguration") or {}).items():
        channel = {"EmailTemplate": "email", "SMSTemplate": "sms",
                   "PushTemplate": "push"}.get(key)
        if channel is None:
            comments.append(_note(findings, "unmapped", f"$.TemplateConfiguration.{key}",
                                  f"{key} has no Tact channel"))
            continue
        channels.append(channel)
        sources[template] = ", ".join(filter(None, [sources.get(template),
                                                    str((value or {}).get("Name"))]))
    for key in (body.get("MessageConfiguration") or {}):
        channel = {"EmailMessage": "email", "SMSMessage": "sms", "GCMMessage": "push",
                   "APNSMessage": "push", "DefaultMessage": None}.get(key)
        if channel and channel not in channels:
            channels.append(channel)
            comments.append(_note(findings, "fill_in", f"$.MessageConfiguration.{key}",
                                  f"the {channel} message was written in the campaign: "
                                  f"copy it into templates/{template}.yaml"))
    if not channels:
        channels = ["email"]
        comments.append(_note(findings, "fill_in", "$.TemplateConfiguration",
                              f"no template: write the message in templates/{template}.yaml"))
    templates[template] = set(channels)
    node: dict[str, Any] = {COMMENT: comments, "id": ident, "name": name,
                            "segment": segment_id, "purpose": "marketing"}
    send: dict[str, Any] = {"channel": channels[0] if len(channels) == 1 else "preferred",
                            "template": template}
    if len(channels) > 1:
        send["fallback"] = channels
        _note(findings, "approximated", "$.TemplateConfiguration", "Pinpoint sent on every "
              "channel of the segment's endpoints; Tact sends one message per customer, on "
              "the preferred channel with the others as fallback")
    node["send"] = send
    node["at"] = _at(schedule, bool(schedule.get("IsLocalTime")), "$.Schedule", findings,
                     comments)
    limits = body.get("Limits") or {}
    if limits.get("MessagesPerSecond"):
        node["throttle"] = f"{int(limits['MessagesPerSecond'])}/s"
        _note(findings, "mapped", "$.Limits.MessagesPerSecond", "-> throttle")
    for key in ("Daily", "Total", "Session", "MaximumDuration"):
        if limits.get(key):
            comments.append(_note(findings, "unmapped", f"$.Limits.{key}", f"{key} "
                                  f"{limits[key]}: Tact's frequency caps (settings.yaml) "
                                  "count messages across journeys and broadcasts"))
    holdout = body.get("HoldoutPercent")
    if holdout:
        node["holdout"] = f"{min(float(holdout) / 100, MAX_HOLDOUT):.0%}"
    for key in ("AdditionalTreatments", "CustomDeliveryConfiguration", "Hook"):
        if body.get(key):
            comments.append(_note(findings, "unmapped", f"$.{key}", f"{key}: import each "
                                  "treatment as a broadcast, or use a journey's ab_split"
                                  if key == "AdditionalTreatments" else f"{key}"))
    return BroadcastConversion({ident: node}, segment_id, segment_node, templates, sources,
                               findings)


def journey_broadcasts(data: dict[str, Any],
                       segment: dict[str, Any] | None) -> BroadcastConversion:
    """A segment-started journey: one broadcast per path to its first message."""
    from tact.pinpoint.convert import convert

    body = data.get("JourneyResponse") or data.get("WriteJourneyRequest") or data
    start = (body.get("StartCondition") or {}).get("SegmentStartCondition") or {}
    conversion = convert(data, None, "customer_updated")  # the trigger is not used
    findings = [_as_broadcast(f) for f in conversion.findings
                if not f.where.startswith(("$.StartCondition", "$.Refresh"))]
    journey = conversion.journey
    segment_id, segment_node = segment_scaffold(str(start.get("SegmentId", "?")), segment,
                                                findings)
    comments = [f"Imported from Amazon Pinpoint journey {journey['name']!r} (it started from "
                f"segment {start.get('SegmentId')}) by `tact import-pinpoint --broadcast`."]
    if body.get("RefreshFrequency") or body.get("RefreshOnSegmentUpdate"):
        comments.append(_note(findings, "unmapped", "$.RefreshFrequency", "Pinpoint entered "
                              "new segment members as they came; a broadcast sends once to "
                              "the segment as it is then (for newcomers use a journey)"))
    at = _at(body.get("Schedule") or {}, bool(body.get("LocalTime")), "$.Schedule", findings,
             comments)
    broadcasts: dict[str, dict[str, Any]] = {}
    for conditions, send, rest in _first_sends(journey.get("steps", []), [], findings):
        spec = send["send"]
        ident = slug_id(f"{journey['id']}_{spec['id']}", "b")
        node: dict[str, Any] = {COMMENT: list(comments), "id": ident,
                                "name": f"{journey['name']}: {spec['id']}",
                                "segment": segment_id}
        if conditions:
            node["when"] = " and ".join(f"({c})" if " or " in c else c for c in conditions)
        node["purpose"] = "marketing"
        node["send"] = {k: v for k, v in spec.items() if k != "id"}
        node["at"] = at
        if journey.get("holdout"):
            node["holdout"] = journey["holdout"]
        if rest:
            node[COMMENT].append(_note(findings, "unmapped", f"$.Activities ({spec['id']})",
                                       f"{len(rest)} step(s) after {spec['id']}: a broadcast "
                                       "sends one message; use a journey for follow-ups"))
        broadcasts[ident] = node
    if not broadcasts:
        _note(findings, "fill_in", "$.Activities", "no message reachable: nothing to send")
    return BroadcastConversion(broadcasts, segment_id, segment_node, conversion.templates,
                               conversion.template_sources, findings)


def _as_broadcast(finding: Finding) -> Finding:
    """A broadcast import writes no settings: what the journey import would have put there
    is for the user to carry over."""
    from tact.pinpoint.findings import SETTINGS_PATHS

    if finding.kind == "mapped" and finding.where.startswith(SETTINGS_PATHS):
        return Finding("approximated", finding.where, f"{finding.message}: set it in "
                       "settings.yaml (a broadcast import writes no settings)")
    return finding


def _first_sends(steps: list[Any], conditions: list[str], findings: list[Finding],
                 ) -> list[tuple[list[str], dict[str, Any], list[Any]]]:
    for index, step in enumerate(steps):
        if "send" in step:
            return [(conditions, step, steps[index + 1:])]
        if "split" in step:
            found: list[tuple[list[str], dict[str, Any], list[Any]]] = []
            earlier: list[str] = []
            for branch in step["split"]:
                if "if" in branch:
                    found += _first_sends(branch["steps"] + steps[index + 1:],
                                          [*conditions, *earlier, branch["if"]], findings)
                    earlier.append(f"$not({branch['if']})")
                else:
                    found += _first_sends(branch["else"] + steps[index + 1:],
                                          [*conditions, *earlier], findings)
            return found
        if "wait" in step:
            _note(findings, "approximated", "$.Activities (wait)", "a wait before the first "
                  "message: a broadcast sends at its `at`; move the time there")
        elif "exit" in step:
            return []
        elif any(k in step for k in ("ab_split", "wait_for")):
            _note(findings, "unmapped", "$.Activities", "a random split or an event wait "
                  "before the first message has no broadcast equivalent; use a journey")
            return []
    return []

