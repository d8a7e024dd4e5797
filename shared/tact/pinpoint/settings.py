"""Journey limits, quiet time, open hours and senders -> Tact settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tact.pinpoint.emit import COMMENT
from tact.pinpoint.findings import DAYS

if TYPE_CHECKING:
    from tact.pinpoint.convert import Converter


def journey_settings(conv: Converter) -> dict[str, Any]:
    out: dict[str, Any] = {}
    limits = conv.data.get("Limits") or {}
    where = "$.Limits"
    caps: list[dict[str, Any]] = []
    cap_comments: list[str] = []
    if limits.get("DailyCap"):
        caps.append({"max": int(limits["DailyCap"]), "per": "24h"})
        cap_comments.append(conv.note("approximated", f"{where}.DailyCap", f"DailyCap "
                                      f"{limits['DailyCap']} -> marketing cap "
                                      f"{limits['DailyCap']} per 24h; in Tact caps count "
                                      "messages of all journeys together"))
    timeframe = limits.get("TimeframeCap") or {}
    if timeframe.get("Cap") and timeframe.get("Days"):
        caps.append({"max": int(timeframe["Cap"]), "per": f"{int(timeframe['Days'])}d"})
        cap_comments.append(conv.note("approximated", f"{where}.TimeframeCap",
                                      f"TimeframeCap {timeframe['Cap']} in "
                                      f"{timeframe['Days']} days -> marketing cap over "
                                      f"{timeframe['Days']}d across journeys"))
    if limits.get("TotalCap"):
        cap_comments.append(conv.note("unmapped", f"{where}.TotalCap", f"TotalCap "
                                      f"{limits['TotalCap']} (messages per endpoint over "
                                      "the journey's life) has no Tact equivalent"))
    if limits.get("MessagesPerSecond"):
        cap_comments.append(conv.note("unmapped", f"{where}.MessagesPerSecond",
                                      f"{limits['MessagesPerSecond']} messages/second: "
                                      "throughput follows your SES/End User Messaging "
                                      "quotas and Lambda concurrency"))
    if caps:
        out["caps"] = {COMMENT: cap_comments, "marketing": {"any": caps},
                       "transactional": {}}
    elif cap_comments:
        out[COMMENT] = cap_comments
    quiet = conv.data.get("QuietTime") or {}
    hours = open_hours(conv)
    if quiet.get("Start") and quiet.get("End"):
        out["quiet_hours"] = {"start": quiet["Start"], "end": quiet["End"]}
        conv.note("mapped", "$.QuietTime", f"{quiet['Start']}-{quiet['End']} -> quiet_hours "
                  "(customer's local time)")
        if hours:
            conv.note("unmapped", "$.OpenHours", "OpenHours and QuietTime both set; "
                      "QuietTime kept")
    elif hours:
        out["quiet_hours"] = hours
    closed = conv.data.get("ClosedDays") or {}
    rules = [(ch, r) for ch, items in closed.items() for r in items or []]
    if rules:
        lines = [f"{ch}: {r.get('Name', '')} {r.get('StartDateTime')} .. "
                 f"{r.get('EndDateTime')}" for ch, r in rules]
        comment = conv.note("unmapped", "$.ClosedDays", "closed days have no Tact "
                            "equivalent yet (no sends on these dates): " + "; ".join(lines))
        out.setdefault(COMMENT, []).append(comment)
    if conv.from_addresses:
        sender = conv.from_addresses[0]
        out["senders"] = {"email": {"from": sender}}
        if len(set(conv.from_addresses)) > 1:
            conv.note("approximated", "$.Activities", "several FromAddress values; Tact "
                      f"has one sender per project, {sender!r} kept")
    return out


def open_hours(conv: Converter) -> dict[str, Any] | None:
    """One daily window on all days and channels -> quiet hours outside it."""
    open_hours = conv.data.get("OpenHours") or {}
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
    exact = len(spans) == 1 and days == set(DAYS)
    conv.note("approximated" if not exact else "mapped", "$.OpenHours",
              f"open hours {start}-{end} -> quiet hours {end}-{start} every day for all "
              "channels" + ("" if exact else f" (Pinpoint's differ by day or channel: "
                            f"{sorted(days)}, {sorted(windows)})"))
    return {"start": end, "end": start}
