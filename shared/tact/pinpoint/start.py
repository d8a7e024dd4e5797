"""The journey's entry: start condition (trigger), schedule, exit rules and re-entry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tact.pinpoint.emit import COMMENT
from tact.pinpoint.findings import iso_duration

if TYPE_CHECKING:
    from tact.pinpoint.convert import Converter


def trigger(conv: Converter) -> dict[str, Any]:
    where = "$.StartCondition"
    start = conv.data.get("StartCondition") or {}
    comments: list[str] = []
    if conv.trigger_override:
        comments.append(f"trigger given on the command line (--trigger "
                        f"{conv.trigger_override})")
    if start.get("SegmentStartCondition"):
        segment = start["SegmentStartCondition"].get("SegmentId", "?")
        if conv.trigger_override:
            comments.append(conv.note(
                "approximated", f"{where}.SegmentStartCondition", f"Pinpoint started this "
                f"journey for segment {segment}; Tact starts it on the event "
                f"{conv.trigger_override} (segments are not imported)"))
        else:
            comments.append(conv.note(
                "fill_in", f"{where}.SegmentStartCondition", f"segment start (segment "
                f"{segment}) has no Tact equivalent: replace the event below with the shop "
                "event that should enter customers, or re-import with --trigger EVENT"))
    event_start = start.get("EventStartCondition") or {}
    if event_start.get("SegmentId"):
        comments.append(conv.note("unmapped", f"{where}.EventStartCondition.SegmentId",
                                  f"only members of segment {event_start['SegmentId']} "
                                  "entered in Pinpoint; add a `when` condition for them"))
    dims = (event_start.get("EventFilter") or {}).get("Dimensions") or {}
    event_type = dims.get("EventType") or {}
    names = [str(v) for v in event_type.get("Values", [])]
    if event_type.get("DimensionType") == "EXCLUSIVE":
        comments.append(conv.note("unmapped", f"{where}.EventStartCondition.EventFilter",
                                  f"start on every event except {names}"))
        names = []
    event = conv.trigger_override
    if event is None:
        for i, pinpoint_name in enumerate(names):
            mapped = conv.map_event(pinpoint_name, f"{where}.EventStartCondition."
                                    f"EventFilter.Dimensions.EventType.Values[{i}]")
            if mapped and event is None:
                event = mapped
            elif mapped:
                comments.append(conv.note("unmapped", f"{where}.EventStartCondition",
                                          f"second start event {pinpoint_name!r}: Tact "
                                          "journeys have one trigger; import a copy"))
            else:
                comments.append(conv.note(
                    "fill_in", f"{where}.EventStartCondition", f"Pinpoint event "
                    f"{pinpoint_name!r} has no Tact event: pick one of "
                    f"{', '.join(sorted(conv.event_types))} (or --event-map)"))
    conv.trigger_event = event
    trigger: dict[str, Any] = {COMMENT: comments} if comments else {}
    trigger["event"] = event or "FILL_IN_trigger_event"
    noun = event_noun(event)
    terms = conv.dimensions_condition(dims, noun or "event.data", f"{where}.EventStart"
                                      "Condition.EventFilter.Dimensions", comments)
    if terms:
        trigger["when"] = " and ".join(terms)
    return trigger


def schedule(conv: Converter, comments: list[str]) -> None:
    schedule = conv.data.get("Schedule") or {}
    if schedule.get("StartTime") or schedule.get("EndTime"):
        comments.append(conv.note(
            "unmapped", "$.Schedule", f"Pinpoint ran this journey from "
            f"{schedule.get('StartTime', 'its activation')} to "
            f"{schedule.get('EndTime', 'open end')} ({schedule.get('Timezone', 'UTC')}): "
            "Tact journeys run from deploy to removal; deploy and remove on those dates"))
    if conv.data.get("LocalTime") is not None:
        conv.note("mapped", "$.LocalTime", "Tact always applies quiet hours in the "
                  "customer's own time zone")
    if conv.data.get("WaitForQuietTime") is False:
        comments.append(conv.note("approximated", "$.WaitForQuietTime",
                                  "Pinpoint skipped messages due in quiet time; Tact "
                                  "defers them to the end of quiet hours"))
    channel = conv.data.get("JourneyChannelSettings") or {}
    if channel:
        comments.append(conv.note("unmapped", "$.JourneyChannelSettings",
                                  "Amazon Connect campaign settings (contact center) "
                                  "are not used by Tact"))
    for key in ("RefreshFrequency", "RefreshOnSegmentUpdate", "TimezoneEstimationMethods"):
        if conv.data.get(key) not in (None, [], False):
            conv.note("unmapped", f"$.{key}", f"{key} has no meaning without segments")


def exit_rules(conv: Converter) -> list[Any]:
    from tact.journey.guardrails import CART_EVENTS, PURCHASE

    if conv.trigger_event in CART_EVENTS:
        conv.note("approximated", "$.StartCondition", f"added exit_on {PURCHASE}: Tact "
                  "requires cart journeys to stop when the customer buys")
        return [PURCHASE]
    return []


def reentry(conv: Converter) -> dict[str, Any]:
    limits = conv.data.get("Limits") or {}
    where = "$.Limits"
    out: dict[str, Any] = {}
    interval = limits.get("EndpointReentryInterval")
    cap = limits.get("EndpointReentryCap")
    comments: list[str] = []
    if interval:
        out["reentry"] = "allow"
        out["reentry_interval"] = iso_duration(interval, f"{where}.EndpointReentryInterval")
    if cap not in (None, 0):
        comments.append(conv.note(
            "approximated", f"{where}.EndpointReentryCap", f"Pinpoint let a customer enter "
            f"at most {cap} time(s); Tact has no lifetime entry count"
            + ("" if interval else " -- `reentry: ignore` keeps one entry at a time")))
    elif cap == 0 and not interval:
        out["reentry"] = "allow"
        conv.note("mapped", f"{where}.EndpointReentryCap", "0 (unlimited) -> reentry: allow")
    if "reentry" not in out:
        out["reentry"] = "ignore"
    conv.header += comments
    return out


def event_noun(event: str | None) -> str | None:
    from tact.expressions import EVENT_NOUNS

    return EVENT_NOUNS.get(event or "")
