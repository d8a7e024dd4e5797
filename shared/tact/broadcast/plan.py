"""``tact broadcast plan``: who would get the broadcast, who not and why, when, at what cost.

Customers come from event history (folded into profiles and consents with ingest's own
update rules, as of the moment the broadcast starts) or from the deployed table (a parallel
scan, with the cap counters the journeys have filled). Each customer's fate is decided by
:mod:`tact.broadcast.audience`, as the send path would. Sends are then laid out in time: each
wave starts at its instant and, with a throttle, drains at that rate (waves that overlap
share it), giving the hourly send curve per wave.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tact.broadcast.audience import fate
from tact.broadcast.model import Broadcast
from tact.broadcast.segment import SegmentMatcher
from tact.broadcast.waves import first_wave
from tact.customer import CustomerState
from tact.journey.settings import Settings


@dataclass
class WavePlan:
    at: datetime
    labels: list[str]
    sends: int = 0
    excluded: int = 0
    hourly: dict[datetime, int] = field(default_factory=dict)  # hour (UTC) -> messages

    def to_json(self) -> dict[str, object]:
        return {"at": _iso(self.at), "offsets": self.labels, "sends": self.sends,
                "excluded": self.excluded,
                "hourly": [{"hour": _iso(h), "messages": n}
                           for h, n in sorted(self.hourly.items())]}


@dataclass
class Plan:
    broadcast: str
    starts_at: datetime  # when the audience is read and the first wave may go
    customers: int = 0  # customers known by then
    audience: int = 0  # in the segment
    sends: int = 0
    excluded: Counter[str] = field(default_factory=Counter)
    channels: Counter[str] = field(default_factory=Counter)
    waves: list[WavePlan] = field(default_factory=list)
    last_send_at: datetime | None = None
    cost: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {"broadcast": self.broadcast, "starts_at": _iso(self.starts_at),
                "customers": self.customers, "audience": self.audience, "sends": self.sends,
                "excluded": dict(sorted(self.excluded.items())),
                "channels": dict(sorted(self.channels.items())),
                "waves": [w.to_json() for w in self.waves],
                "last_send_at": _iso(self.last_send_at) if self.last_send_at else None,
                "cost_usd": {k: round(v, 4) for k, v in self.cost.items()}}


def _iso(moment: datetime) -> str:
    from tact.clock import iso

    return iso(moment)


def plan(broadcast: Broadcast, condition: str, states: Iterable[CustomerState],
         settings: Settings, template_channels: list[str]) -> Plan:
    result = Plan(broadcast.id, first_wave(broadcast, settings))
    segment = SegmentMatcher(condition)
    waves: dict[datetime, WavePlan] = {}
    labels: dict[datetime, set[str]] = {}
    for state in states:
        result.customers += 1
        decided = fate(broadcast, segment, state, settings, template_channels)
        if decided.outcome == "outside" or decided.wave is None:
            continue
        result.audience += 1
        wave = waves.get(decided.wave.at)
        if wave is None:
            wave = waves[decided.wave.at] = WavePlan(decided.wave.at, [])
        labels.setdefault(decided.wave.at, set()).add(decided.wave.label)
        if decided.outcome == "excluded":
            result.excluded[decided.reason or "?"] += 1
            wave.excluded += 1
            continue
        result.sends += 1
        result.channels[decided.channel or "?"] += 1
        wave.sends += 1
    for at, wave in waves.items():
        wave.labels = sorted(labels[at])
    result.waves = sorted(waves.values(), key=lambda w: w.at)
    result.last_send_at = lay_out(result.waves, broadcast.throttle)
    return result


def lay_out(waves: list[WavePlan], throttle: float | None) -> datetime | None:
    """Fill each wave's hourly curve: all at its instant without a throttle; otherwise one
    queue drained at ``throttle`` per second, a wave joining it at its instant."""
    free_at: datetime | None = None  # when the throttled sender is next free
    last: datetime | None = None
    for wave in sorted(waves, key=lambda w: w.at):
        if not wave.sends:
            continue
        if throttle is None:
            wave.hourly = {_hour(wave.at): wave.sends}
            last = max(last or wave.at, wave.at)
            continue
        start = max(wave.at, free_at or wave.at)
        end = start + timedelta(seconds=wave.sends / throttle)
        wave.hourly = _spread(start, end, wave.sends)
        free_at = end
        last = end
    return last


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _spread(start: datetime, end: datetime, count: int) -> dict[datetime, int]:
    """``count`` messages evenly from ``start`` to ``end``, counted per hour."""
    total = (end - start).total_seconds()
    out: dict[datetime, int] = {}
    given = 0
    hour = _hour(start)
    while hour < end or not out:
        until = min(hour + timedelta(hours=1), end)
        share = (until - max(hour, start)).total_seconds()
        upto = count if until >= end else round(count * ((until - start).total_seconds() / total))
        if share > 0 or until >= end:
            out[hour] = upto - given
            given = upto
        hour += timedelta(hours=1)
    return {h: n for h, n in out.items() if n}
