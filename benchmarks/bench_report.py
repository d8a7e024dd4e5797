"""``tact report --from DIR`` over the decision records of a 100,000-customer backtest (issue 16).

Set-up, not timed: 100,000 customers over 7 days are generated (seed 1, in slices), and
``tact backtest --export DIR`` replays them through the example journeys
(``journeys/examples``: entries, sends, exits, conversions, holdouts) on 2 workers, each
writing its part's records in the layout Kinesis Data Firehose writes to S3. That set-up
takes minutes (most of it the replay), so ``make bench`` runs it last;
``make bench BENCH=report`` runs it alone. ``BENCH_REPORT_CUSTOMERS`` changes the
population.

Timed: ``tact report --from DIR --json`` as a fresh process (process start included), as a
user runs it; the median of three runs. ``report_records_per_s`` is the records exported
divided by those seconds.
"""

from __future__ import annotations

import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JOURNEYS = ROOT / "journeys" / "examples"
CUSTOMERS = int(os.environ.get("BENCH_REPORT_CUSTOMERS", "100000"))
DAYS = 7
WORKERS = 2
SLICE = 50_000  # customers generated at a time: the history is never held whole
RUNS = 3

Figure = tuple[str, float, str]


def _tact() -> str:
    return str(Path(sys.executable).parent / "tact")


def _generate(path: Path) -> None:
    from tact.generate import generate, write_jsonl

    with path.open("w", encoding="utf-8") as handle:
        for first in range(0, CUSTOMERS, SLICE):
            write_jsonl(generate(min(SLICE, CUSTOMERS - first), DAYS, seed=1, first=first),
                        handle)


def _exported(export: Path) -> tuple[int, int, float]:
    """Records, files and compressed megabytes under ``export``."""
    files = sorted(export.glob("decisions/*/*/*/*/*.gz"))
    records = sum(gzip.decompress(path.read_bytes()).count(b"\n") for path in files)
    return records, len(files), sum(path.stat().st_size for path in files) / 2**20


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="tact-bench-report-") as tmp:
        history, export = Path(tmp) / "history.jsonl", Path(tmp) / "export"
        began = time.perf_counter()
        _generate(history)
        subprocess.run([_tact(), "backtest", "--events", str(history), "--journeys",
                        str(JOURNEYS), "--workers", str(WORKERS), "--json", "--export",
                        str(export)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        set_up = time.perf_counter() - began
        records, files, megabytes = _exported(export)
        seconds = []
        for _ in range(RUNS):
            start = time.perf_counter()
            subprocess.run([_tact(), "report", "--from", str(export), "--journeys",
                            str(JOURNEYS), "--json"], check=True, stdout=subprocess.DEVNULL)
            seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    one, five, _ = os.getloadavg()
    return [("report_records_per_s", round(records / median),
             f"`tact report --from DIR --json`, a fresh process, median of {RUNS} runs: "
             f"{median:.2f} s (runs {', '.join(f'{s:.2f}' for s in seconds)}) for "
             f"{records:,} decision records in {files:,} files ({megabytes:.1f} MB gzip) "
             f"exported by `tact backtest --export` of {CUSTOMERS:,} generated customers over "
             f"{DAYS} days (journeys/examples, {WORKERS} workers; set-up {set_up:.0f} s, not "
             f"timed); load average {one:.1f}/{five:.1f} on {os.cpu_count()} CPUs")]


if __name__ == "__main__":
    for name, value, note in run():
        print(f"{name} {value:g}  ({note})", flush=True)
