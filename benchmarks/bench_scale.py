"""Backtest at scale (issue 20): 1,000,000 generated customers over 7 days on 2 workers, with
the peak memory of the whole replay (its process and its workers together).

``make bench BENCH=scale`` runs it (not part of the default ``make bench``: it takes minutes).
``BENCH_SCALE_CUSTOMERS`` changes the population. The history is generated in slices into a
temporary file; the replay then runs in a fresh process, so the generator's memory is not
counted, and a sampler thread there adds up the resident memory of that process and of its
workers twice a second: ``backtest_peak_rss_mb`` is the largest such sum.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JOURNEYS = ROOT / "journeys"
CUSTOMERS = int(os.environ.get("BENCH_SCALE_CUSTOMERS", "1000000"))
DAYS = 7
WORKERS = 2
SLICE = 50_000

Figure = tuple[str, float, str]


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


class PeakMemory(threading.Thread):
    """Largest sum of resident memory of this process and its children, sampled every 0.5 s."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self.stopped.wait(0.5):
            total = _rss_kb(me) + sum(_rss_kb(child) for child in _children(me))
            self.peak_kb = max(self.peak_kb, total)


def replay(history: Path) -> None:
    """In the fresh process: run the backtest and print one JSON line of figures."""
    from tact.backtest.runner import run_backtest

    sampler = PeakMemory()
    sampler.start()
    began = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 10 or done == total:
            last[0] = time.perf_counter()
            print(f"  {done}/{total} parts replayed, {time.perf_counter() - began:.0f} s",
                  file=sys.stderr, flush=True)

    result = run_backtest(history, JOURNEYS, workers=WORKERS, lists=False, progress=progress)
    sampler.stopped.set()
    sampler.join()
    t = result.totals
    print(json.dumps({"seconds": time.perf_counter() - began, "peak_kb": sampler.peak_kb,
                      "customers": t.customers, "events": t.events, "parts": len(
                          result.shard_seconds), "sent": t.messages_sent,
                      "not_sent": t.not_sent,
                      "cpu_s": sum(result.shard_cpu_seconds)}))


def run() -> list[Figure]:
    from tact.generate import generate, write_jsonl

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        began = time.perf_counter()
        with path.open("w", encoding="utf-8") as handle:
            for first in range(0, CUSTOMERS, SLICE):
                write_jsonl(generate(min(SLICE, CUSTOMERS - first), DAYS, seed=1, first=first),
                            handle)
        made = time.perf_counter() - began
        size_mb = path.stat().st_size / 2**20
        out = subprocess.run([sys.executable, __file__, "--replay", str(path)], check=True,
                             stdout=subprocess.PIPE, text=True).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    one, five, _ = os.getloadavg()
    note = (f"{figures['customers']:,} customers, {figures['events']:,} events "
            f"({size_mb:.0f} MB, generated in {made:.0f} s), {DAYS} days, {WORKERS} workers, "
            f"{figures['parts']} parts; {figures['sent']:,} sent, {figures['not_sent']:,} not "
            f"sent; worker CPU {figures['cpu_s']:.0f} s; load average {one:.1f}/{five:.1f}")
    return [("backtest_peak_rss_mb", round(figures["peak_kb"] / 1024),
             "target <= 4096; largest sum of the replay's and its workers' resident memory, "
             "sampled every 0.5 s; " + note),
            ("backtest_scale_wall_s", round(figures["seconds"], 1),
             "wall time of the replay alone (partitioning included); " + note)]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--replay"]:
        replay(Path(sys.argv[2]))
    else:
        for name, value, note in run():
            print(f"{name} {value:g}  ({note})", flush=True)
