"""Customers are independent: one partition each, and no operation reads or writes two (see
tact.store.base). So history is split by customer into shards, each replayed in its own
process with its own in-memory store, virtual clock and executor, and the counts add up.

The independence is checked, not assumed: a shard refuses an event of a customer that is
not its own, and after the run its store and its executions must hold its customers only.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tact.analytics.export import write_export
from tact.analytics.records import DecisionRecord
from tact.backtest.history import Located, read_part, shard_of
from tact.backtest.totals import Totals, from_report
from tact.journey.states import send_of
from tact.local.collector import collector_paused
from tact.models.events import EventError, parse_event


class ShardLeak(AssertionError):
    """Something of one customer turned up in another customer's shard."""


@dataclass
class ShardJob:
    index: int
    shards: int
    journeys_dir: Path
    functions_dir: Path
    events: list[Located] = field(default_factory=list)
    store: str = "memory"
    part: Path | None = None  # a part file of a partitioned history, read by the worker
    files: list[str] = field(default_factory=list)  # the history's files, for the part's lines
    lists: bool = True  # keep every message and suppression (not only their counts)
    model: Any = None  # the next-best/propensity artifact fitted on the whole history
    export: Path | None = None  # write the shard's decision records here (Firehose's layout)

    def located(self) -> Iterable[Located]:
        return read_part(self.part, self.files) if self.part is not None else self.events


@dataclass
class ShardResult:
    index: int
    totals: Totals
    seconds: float
    cpu_seconds: float = 0.0  # of this worker: unlike wall time, not inflated by other load
    exported: int = 0  # decision records written to the job's export folder
    export_files: int = 0


def send_steps(definitions: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Each journey's send steps, in the order the compiler laid them out."""
    order: dict[str, list[str]] = {}
    for journey_id, definition in definitions.items():
        steps = order.setdefault(journey_id, [])
        _collect_steps(definition.get("States", {}), steps)
    return order


def _collect_steps(states: dict[str, Any], steps: list[str]) -> None:
    for state in states.values():
        send = send_of(state)
        if send is not None and send.step and send.step not in steps:
            steps.append(send.step)
        for branch in state.get("Branches", []):  # Parallel states, if the compiler uses them
            _collect_steps(branch.get("States", {}), steps)


def run_shard(job: ShardJob) -> ShardResult:
    with collector_paused():  # what a shard reads and replays stays alive to its end anyway
        return _replay(job)


def _replay(job: ShardJob) -> ShardResult:
    from tact.local.simulator import Simulation

    began, cpu = time.perf_counter(), time.process_time()
    events: list[tuple[Any, int, dict[str, Any]]] = []
    rejected: list[dict[str, Any]] = []
    customers: set[str] = set()
    validated: dict[int, Any] = {}  # handed to the ingest handler: validated once, not twice
    for located in job.located():
        raw = located.raw
        if shard_of(raw["customer_id"], job.shards) != job.index:
            raise ShardLeak(f"event {raw.get('id')!r} of customer {raw['customer_id']!r} "
                            f"was given to shard {job.index}")
        try:
            parsed = parse_event(raw)  # raw as json.loads made it, as the hand-over needs
        except EventError as err:
            rejected.append({"file": located.source, "line": located.line,
                             "reason": err.reason})
            continue
        event = parsed[0]
        validated[id(raw)] = parsed
        customers.add(event.customer_id)
        events.append((event.time, located.position, raw))
    events.sort(key=lambda e: (e[0], e[1]))  # time order; ties in file order
    simulation = Simulation(job.journeys_dir, job.store,  # type: ignore[arg-type]
                            functions_dir=job.functions_dir, model=job.model,
                            decisions=job.export is not None, full_report=False)
    report = (simulation.run([raw for _, _, raw in events], validated=validated) if events
              else simulation.report)
    if events and job.store == "memory":
        _check_isolation(job, simulation, customers)
    totals = from_report(report, send_steps(simulation.definitions), lists=job.lists)
    totals.customers = len(customers)
    totals.events = len(events)
    totals.rejected = rejected + totals.rejected
    files = _export(job, report.decisions)
    return ShardResult(job.index, totals, time.perf_counter() - began,
                       time.process_time() - cpu, len(report.decisions) if job.export else 0,
                       len(files))


def _export(job: ShardJob, decisions: list[DecisionRecord]) -> list[Path]:
    """The worker writes its own records (they never travel to the parent), in files named
    after its part: parts never collide, and the same run writes the same bytes."""
    if job.export is None:
        return []
    return write_export(job.export, decisions, part=f"part{job.index:05d}")


def _check_isolation(job: ShardJob, simulation: Any, customers: set[str]) -> None:
    strangers = [c for c in simulation.store.customers() if c not in customers]
    if strangers:
        raise ShardLeak(f"shard {job.index} wrote partitions of customers it was not given: "
                        f"{strangers[:5]}")
    for execution in simulation.journey_executions():
        document = execution.input
        customer = document.get("customer_id", "") if isinstance(document, dict) else ""
        if customer not in customers:
            raise ShardLeak(f"shard {job.index} ran an execution for customer {customer!r}")


def split(events: list[Located], shards: int) -> list[list[Located]]:
    parts: list[list[Located]] = [[] for _ in range(shards)]
    for located in events:
        parts[shard_of(located.raw["customer_id"], shards)].append(located)
    return parts
