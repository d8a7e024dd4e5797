"""``tact broadcast plan``: load the project, read the customers, plan, price, print."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tact.broadcast.known import known_customers
from tact.broadcast.model import Broadcast
from tact.broadcast.plan import Plan, plan
from tact.broadcast.segment import SegmentMatcher, condition_of
from tact.broadcast.service import batch_size
from tact.broadcast.waves import first_wave
from tact.cost.broadcast import broadcast_cost, pinpoint_cost
from tact.customer import CustomerState
from tact.journey.project import Project
from tact.store.base import CustomerStore, ScanSegment

DEFAULT_SEGMENTS = 64  # template.yaml's BroadcastScanSegments default

EXCLUSION_MEANING = {
    "holdout": "control group (tracked, not sent to)",
    "no_consent": "no marketing consent on any usable channel",
    "frequency_cap": "at a frequency cap at their wave",
    "suppressed": "address bounced or complained",
    "no_address": "no address for any allowed channel",
    "no_template": "template has no part for their channel",
}


class UnknownBroadcastId(LookupError):
    pass


def find(project: Project, broadcast_id: str) -> Broadcast:
    found = project.broadcasts.get(broadcast_id)
    if found is None:
        known = ", ".join(sorted(project.broadcasts)) or "none"
        raise UnknownBroadcastId(f"no broadcast {broadcast_id!r} in {project.root}/broadcasts/ "
                                 f"(known: {known})")
    return found


def from_history(path: Path, until: datetime) -> tuple[list[CustomerState], int]:
    """Customers known at ``until`` from a history file or folder; and lines not usable."""
    from tact.backtest.history import read_history

    history = read_history(path)
    rejected: list[str] = []
    states = known_customers((e.raw for e in history.events), until, rejected)
    return list(states.values()), len(history.rejected) + len(rejected)


def from_table(store: CustomerStore, condition: str, now: datetime,
               segments: int = 16) -> Iterator[CustomerState]:
    """The deployed table: profiles by parallel scan; members of the segment read in full
    (their consents, suppressions and cap counters), the way the send path reads them."""
    matcher = SegmentMatcher(condition)
    for segment in range(segments):
        cursor = None
        while True:
            page = store.scan_profiles(ScanSegment(segment, segments), cursor)
            for item in page.items:
                state = CustomerState(str(item["customer_id"]), profile=item)
                if matcher.matches(state):
                    state = CustomerState.from_items(
                        state.customer_id, store.read_customer(state.customer_id, now))
                yield state
            cursor = page.cursor
            if cursor is None:
                break


def run_plan(project: Project, broadcast: Broadcast, states: Iterator[CustomerState] | list[
        CustomerState], segments: int = DEFAULT_SEGMENTS) -> Plan:
    condition = condition_of(broadcast, project.segments)
    template = project.templates.get(broadcast.send.template)
    channels = template.channels() if template else []
    result = plan(broadcast, condition, states, project.settings, channels)
    size = batch_size(broadcast.throttle, segments)
    batches = sum(max(math.ceil((w.sends + w.excluded) / size),
                      min(w.sends + w.excluded, segments)) for w in result.waves)
    cost = broadcast_cost(project.settings, customers=result.customers,
                          audience=result.audience, batches=batches, segments=segments,
                          sends=result.channels, purpose=broadcast.purpose)
    result.cost = {**{k: v for k, v in cost.lines.items()}, "total": cost.total,
                   "pinpoint_total": pinpoint_cost(project.settings, audience=result.audience,
                                                   sends=result.channels).total}
    return result


def start_of(project: Project, broadcast: Broadcast) -> datetime:
    return first_wave(broadcast, project.settings)


def print_plan(console: Console, result: Plan, broadcast: Broadcast, unusable: int = 0) -> None:
    from tact.clock import iso

    local = broadcast.local()
    when = (f"{local.local_time} local on {local.date}" if local
            else iso(broadcast.instant()))
    console.print(f"[bold]{broadcast.id}[/]: {broadcast.name} - {when}; the audience is read "
                  f"at {iso(result.starts_at)} (the first wave)")
    console.print(f"customers known: {result.customers:,}   audience (in the segment): "
                  f"{result.audience:,}   would be sent: [bold]{result.sends:,}[/]")
    if unusable:
        console.print(f"[yellow]{unusable:,} history lines could not be used[/]")
    excluded = Table(title="excluded, and why")
    excluded.add_column("reason")
    excluded.add_column("customers", justify="right")
    excluded.add_column("meaning")
    for reason, count in result.excluded.most_common():
        excluded.add_row(reason, f"{count:,}", EXCLUSION_MEANING.get(reason, ""))
    if not result.excluded:
        excluded.add_row("-", "0", "nobody in the segment is excluded")
    console.print(excluded)
    waves = Table(title="waves (UTC) and hourly send curve")
    for column in ("wave at", "offsets", "sends", "excluded", "hourly (UTC hour: messages)"):
        waves.add_column(column, justify="right" if column in ("sends", "excluded") else "left")
    for wave in result.waves:
        curve = ", ".join(f"{h:%m-%d %H}:00 {n:,}" for h, n in sorted(wave.hourly.items()))
        waves.add_row(iso(wave.at), " ".join(wave.labels), f"{wave.sends:,}",
                      f"{wave.excluded:,}", curve or "-")
    console.print(waves)
    if broadcast.throttle and result.last_send_at:
        console.print(f"throttle {broadcast.throttle:g}/s: the last message goes at "
                      f"{iso(result.last_send_at)}")
    channels = ", ".join(f"{c} {n:,}" for c, n in sorted(result.channels.items())) or "none"
    console.print(f"channels: {channels}")
    cost = result.cost
    lines = ", ".join(f"{k.replace('_', ' ')} ${v:,.4f}" for k, v in cost.items()
                      if k not in ("total", "pinpoint_total"))
    console.print(f"cost (tact cost prices): [bold]${cost.get('total', 0):,.2f}[/] ({lines}); "
                  f"on Pinpoint: ${cost.get('pinpoint_total', 0):,.2f}")
