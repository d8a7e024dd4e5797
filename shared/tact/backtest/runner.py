"""``tact backtest``: replay event history through the journeys on the in-memory store,
customers sharded across worker processes, and count what would have happened."""

from __future__ import annotations

import multiprocessing
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tact.backtest.history import History, read_history
from tact.backtest.shards import ShardJob, ShardResult, run_shard, split
from tact.backtest.totals import Totals
from tact.journey.project import load_project, require_valid
from tact.local.functions import find_functions_dir


@dataclass
class Backtest:
    journeys_dir: str
    totals: Totals
    workers: int
    seconds: float
    shard_seconds: list[float] = field(default_factory=list)
    shard_cpu_seconds: list[float] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def customers_per_second(self) -> float:
        return self.totals.customers / self.seconds if self.seconds else 0.0


def run_backtest(events: Path | History, journeys_dir: Path, workers: int = 1,
                 functions_dir: Path | None = None, store: str = "memory",
                 shards: int | None = None) -> Backtest:
    """``shards`` (default: one per worker) more than workers keeps each shard small, which
    only matters on moto, whose cost grows with the table."""
    began = time.perf_counter()
    require_valid(load_project(journeys_dir))  # fail here, not once per worker
    functions = functions_dir or find_functions_dir(Path(journeys_dir))
    history = events if isinstance(events, History) else read_history(events)
    workers = max(1, workers)
    count = max(workers, shards or workers)
    jobs = [ShardJob(i, count, Path(journeys_dir), functions, part, store)
            for i, part in enumerate(split(history.events, count))]
    results = _run_jobs(jobs, workers)
    totals = Totals(rejected=list(history.rejected))
    for result in sorted(results, key=lambda r: r.index):
        totals.merge(result.totals)
    totals.sort()
    return Backtest(str(journeys_dir), totals, workers, time.perf_counter() - began,
                    [r.seconds for r in results], [r.cpu_seconds for r in results],
                    history.files)


_INHERITED: list[ShardJob] = []  # jobs a forked worker finds in its copy of this process


def _run_inherited(index: int) -> ShardResult:
    return run_shard(_INHERITED[index])


def _run_jobs(jobs: list[ShardJob], workers: int) -> list[ShardResult]:
    if workers == 1:
        return [run_shard(job) for job in jobs]
    if sys.platform == "linux":
        # fork: workers start with everything imported and with the jobs in memory, so
        # hundreds of thousands of events are never pickled across; only results come back.
        _INHERITED[:] = jobs
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                return pool.map(_run_inherited, range(len(jobs)), chunksize=1)
        finally:
            _INHERITED.clear()
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        return pool.map(run_shard, jobs, chunksize=1)
