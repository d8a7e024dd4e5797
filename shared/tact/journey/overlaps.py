"""Two marketing journeys on one trigger: can a customer get both journeys' messages close
together? (`tact new X --from Y` beside Y does exactly that: the same sends at the same second.)

Each send gets the window after entry in which it can go out (fixed waits add up; a wait
until a time of day adds up to a day, one until a date up to 30 days, a ``wait_for`` up to its
timeout). When a send of one journey and a send of the other can be closer than
``min_marketing_spacing``, `tact validate` warns, naming both journeys and the frequency cap
that decides whether the second message goes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

from tact.diagnostics import Diagnostic
from tact.journey.bundle_builder import DATE_WAIT_HORIZON
from tact.journey.durations import format_duration
from tact.journey.model import (
    AbSplitStep,
    ExitStep,
    Journey,
    SendStep,
    SplitStep,
    WaitForStep,
    WaitStep,
    branches_of,
)
from tact.journey.settings import Settings
from tact.journey.yamlsource import YamlDocument

DAY = 86400


@dataclass(frozen=True)
class SendWindow:
    step: str
    channel: str
    earliest: int  # seconds after entry
    latest: int


def send_windows(steps: list[Any], earliest: int = 0, latest: int = 0) -> list[SendWindow]:
    """Every send of these steps with the window after entry in which it can go out."""
    found: list[SendWindow] = []
    for step in steps:
        if isinstance(step, WaitStep):
            spec = step.wait
            if spec.duration is not None:
                earliest, latest = earliest + spec.duration, latest + spec.duration
            else:
                latest += DAY if spec.until_time_of_day() else DATE_WAIT_HORIZON
        elif isinstance(step, SendStep):
            found.append(SendWindow(step.send.id, step.send.channel, earliest, latest))
        elif isinstance(step, WaitForStep):
            timeout = step.wait_for.timeout
            found += send_windows(step.wait_for.on_event, earliest, latest + timeout)
            found += send_windows(step.wait_for.on_timeout, earliest + timeout,
                                  latest + timeout)
            return found  # what follows a wait_for is inside its two branches
        elif isinstance(step, SplitStep | AbSplitStep):
            for branch in branches_of(step):
                found += send_windows(branch, earliest, latest)
        elif isinstance(step, ExitStep):
            return found
    return found


def _gap(a: SendWindow, b: SendWindow) -> int:
    """The least time between two sends of journeys entered at the same moment."""
    return max(0, b.earliest - a.latest, a.earliest - b.latest)


def overlap_warnings(journeys: dict[str, Journey], sources: dict[str, YamlDocument],
                     settings: Settings) -> list[Diagnostic]:
    spacing = settings.min_marketing_spacing
    marketing = sorted((j for j in journeys.values() if j.purpose == "marketing"),
                       key=lambda j: j.id)
    found: list[Diagnostic] = []
    for first, second in combinations(marketing, 2):
        if first.trigger.event != second.trigger.event:
            continue
        pairs = [(a, b) for a in send_windows(first.steps) for b in send_windows(second.steps)]
        close = min(pairs, key=lambda p: _gap(*p), default=None)
        if close is None or _gap(*close) >= spacing:
            continue
        a, b = close
        doc = sources[second.id]
        d = doc.error(("trigger", "event"), (
            f"journeys {first.id!r} and {second.id!r} both start on {first.trigger.event}: "
            f"a customer in both can get {first.id}/{a.step} and {second.id}/{b.step} "
            f"{format_duration(_gap(a, b))} apart (min_marketing_spacing is "
            f"{format_duration(spacing)}); {_deciding_cap(settings, a, b)}"),
            "give one journey another trigger or condition, wait longer in one of them, or "
            "merge them into one journey with a split")
        found.append(Diagnostic(d.file, d.line, d.col, d.message, d.hint, "warning"))
    return found


def _deciding_cap(settings: Settings, a: SendWindow, b: SendWindow) -> str:
    """Which marketing cap decides whether the second message goes out, and what it does."""
    gap = _gap(a, b)
    channel = a.channel if a.channel == b.channel and a.channel != "preferred" else None
    scopes = ["any", *([channel] if channel else [])]
    caps = sorted(((scope, cap) for scope in scopes
                   for cap in settings.caps.get("marketing", {}).get(scope, [])  # type: ignore[call-overload]
                   if cap.per > gap), key=lambda sc: (sc[1].max, sc[1].per))
    if not caps:
        return "no marketing cap in settings.yaml covers that gap: both messages are sent"
    scope, cap = caps[0]
    rule = f"the marketing cap {scope}: {cap.max} per {format_duration(cap.per)}"
    if cap.max < 2:
        return f"{rule} decides: only the first of the two is sent"
    return f"{rule} decides, and lets both through"
