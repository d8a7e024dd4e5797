"""``tact backtest``: replay event history through the journeys on the in-memory store,
customers sharded across worker processes, and count what would have happened.

A history given as a file or folder is never held in memory: it is partitioned by customer
into part files of bounded size (``tact.backtest.history.partition_history``), and each worker
replays one part at a time in a fresh process, so peak memory follows the part size and the
number of workers, not the length of the history."""

from __future__ import annotations

import multiprocessing
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tact.backtest.history import History, part_count, partition_history
from tact.backtest.shards import ShardJob, ShardResult, run_shard, split
from tact.backtest.totals import Totals
from tact.journey.project import load_project, require_valid
from tact.local.functions import find_functions_dir
from tact.local.model import history_model


@dataclass
class Backtest:
    journeys_dir: str
    totals: Totals
    workers: int
    seconds: float
    shard_seconds: list[float] = field(default_factory=list)
    shard_cpu_seconds: list[float] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    exported: int = 0  # decision records written with ``export``
    export_files: int = 0

    @property
    def customers_per_second(self) -> float:
        return self.totals.customers / self.seconds if self.seconds else 0.0


Progress = Callable[[int, int], None]  # (shards done, shards in all)


def run_backtest(events: Path | History, journeys_dir: Path, workers: int = 1,
                 functions_dir: Path | None = None, store: str = "memory",
                 shards: int | None = None, *, lists: bool = True,
                 progress: Progress | None = None, export: Path | None = None) -> Backtest:
    """``shards`` (default: one per worker, or one per ~8 MB of a history file) more than
    workers keeps each shard small: on moto, whose cost grows with the table, and for memory.
    ``lists``: keep every message and suppression, not only their counts. ``export``: each
    worker writes its shard's decision records there, as ``tact simulate --export`` does."""
    began = time.perf_counter()
    require_valid(load_project(journeys_dir))  # fail here, not once per worker
    model = history_model(Path(journeys_dir), events)  # one for all shards, if journeys read it
    functions = functions_dir or find_functions_dir(Path(journeys_dir))
    workers = max(1, workers)
    journeys = Path(journeys_dir)
    with tempfile.TemporaryDirectory(prefix="tact-backtest-") as folder:
        if isinstance(events, History):
            count = max(workers, shards or workers)
            jobs = [ShardJob(i, count, journeys, functions, part, store, lists=lists,
                             model=model, export=export)
                    for i, part in enumerate(split(events.events, count))]
            rejected, files = list(events.rejected), events.files
        else:
            count = shards or part_count(events, at_least=workers)
            parted = partition_history(events, Path(folder), count)
            jobs = [ShardJob(i, count, journeys, functions, store=store, part=part,
                             files=parted.files, lists=lists, model=model, export=export)
                    for i, part in enumerate(parted.parts)]
            rejected, files = parted.rejected, parted.files
        results = _run_jobs(jobs, workers, progress)
    totals = Totals(rejected=rejected)
    for result in sorted(results, key=lambda r: r.index):
        totals.merge(result.totals)
    totals.sort()
    return Backtest(str(journeys_dir), totals, workers, time.perf_counter() - began,
                    [r.seconds for r in results], [r.cpu_seconds for r in results], files,
                    sum(r.exported for r in results), sum(r.export_files for r in results))


_INHERITED: list[ShardJob] = []  # jobs a forked worker finds in its copy of this process


def _run_inherited(index: int) -> ShardResult:
    return run_shard(_INHERITED[index])


def _run_jobs(jobs: list[ShardJob], workers: int,
              progress: Progress | None = None) -> list[ShardResult]:
    results: list[ShardResult] = []

    def done(result: ShardResult) -> None:
        results.append(result)
        if progress is not None:
            progress(len(results), len(jobs))

    if workers == 1:
        for job in jobs:
            done(run_shard(job))
        return results
    if sys.platform == "linux":
        # fork: workers start with everything imported and with the jobs in memory, so
        # hundreds of thousands of events are never pickled across; only results come back.
        # One shard per worker process: its memory goes back to the system when it ends.
        _INHERITED[:] = jobs
        try:
            with multiprocessing.get_context("fork").Pool(workers, maxtasksperchild=1) as pool:
                for result in pool.imap_unordered(_run_inherited, range(len(jobs))):
                    done(result)
        finally:
            _INHERITED.clear()
        return results
    with multiprocessing.get_context("spawn").Pool(workers, maxtasksperchild=1) as pool:
        for result in pool.imap_unordered(run_shard, jobs):
            done(result)
    return results
