"""Backtest throughput (issue 9): 10,000 generated customers over 7 days, 2 worker processes,
in-memory store; and, for comparison, the same pipeline on moto for 500 customers.

``run()`` returns ``(name, value, note)`` figures for ``benchmarks/run.py`` (``make bench``);
``python benchmarks/bench_backtest.py`` prints them alone. Wall-clock rates depend on what
else the machine runs, so the CPU time per customer is reported beside them.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from tact.backtest.runner import run_backtest
from tact.generate import generate, write_jsonl

ROOT = Path(__file__).resolve().parent.parent
JOURNEYS = ROOT / "journeys"
CUSTOMERS = 10_000
DAYS = 7
WORKERS = 2
MOTO_CUSTOMERS = 500
MOTO_GROUP = 10  # customers per moto world; one world for all would be quadratic (hours)

Figure = tuple[str, float, str]


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f}/{five:.1f} on {os.cpu_count()} CPUs"


def run() -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        events = generate(CUSTOMERS, DAYS, seed=1)
        with path.open("w", encoding="utf-8") as handle:
            write_jsonl(events, handle)
        result = run_backtest(path, JOURNEYS, workers=WORKERS)
    t = result.totals
    cpu_ms = 1000 * sum(result.shard_cpu_seconds) / max(t.customers, 1)
    figures.append(("backtest_customers_per_s", round(result.customers_per_second, 1),
                    f"target >= 1000; {t.customers} customers, {t.events} events over {DAYS} "
                    f"days, {WORKERS} workers, {result.seconds:.1f} s wall incl. reading the "
                    f"file; {t.messages_sent} sent, {t.not_sent} not sent; {_load()}"))
    figures.append(("backtest_worker_cpu_ms_per_customer", round(cpu_ms, 2),
                    "target <= 0.5; CPU time of the workers per customer, less dependent on "
                    "other load than wall time: with "
                    f"{WORKERS} idle CPUs the workers alone would run ~{WORKERS} x 1000 / this "
                    "customers/s (reading the file and forking come on top, ~1 s)"))

    moto_events = generate(MOTO_CUSTOMERS, DAYS, seed=1)
    from tact.backtest.history import History, Located

    history = History([Located(n, "generated", n + 1, e) for n, e in enumerate(moto_events)])
    began = time.perf_counter()
    moto = run_backtest(history, JOURNEYS, workers=WORKERS, store="moto",
                        shards=MOTO_CUSTOMERS // MOTO_GROUP)
    seconds = time.perf_counter() - began
    moto_cpu_ms = 1000 * sum(moto.shard_cpu_seconds) / max(moto.totals.customers, 1)
    figures.append(("moto_customers_per_s", round(moto.totals.customers / seconds, 1),
                    f"same pipeline on moto: {moto.totals.customers} customers over {DAYS} "
                    f"days, {WORKERS} workers, ~{MOTO_GROUP} customers per moto world, "
                    f"{seconds:.1f} s wall, {moto_cpu_ms:.0f} ms CPU per customer; {_load()}"))
    return figures


if __name__ == "__main__":
    for name, value, note in run():
        print(f"{name} {value:g}  ({note})", flush=True)
