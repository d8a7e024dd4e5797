"""``tact backtest`` and ``tact generate-events``: replay history, make synthetic history."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from tact.cli.console import check_export_folder, err, load_journeys, out


def backtest(
    events: Annotated[Path, typer.Option(
        "--events", "-e", help="JSON Lines of shop events, or EventBridge events with the "
        "envelope in 'detail' (archive/S3 export); a file or a folder of them (.gz too)")],
    journeys: Annotated[Path, typer.Option("--journeys", "-j", help="folder of journey files")]
    = Path("journeys"),
    workers: Annotated[int, typer.Option(help="worker processes; customers are sharded")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    as_html: Annotated[bool, typer.Option("--html", help="print a self-contained HTML page")]
    = False,
    compare: Annotated[Path | None, typer.Option(
        "--compare", help="another journeys folder (e.g. the version in production): "
        "both replay the same history, side by side")] = None,
    lists: Annotated[bool, typer.Option("--lists", help="with --json: every message and "
                                        "every suppression too")] = False,
    export: Annotated[Path | None, typer.Option(
        "--export", help="also write the replay's decision records to this new or empty "
        "folder, in the layout `tact simulate --export` and the deployed stream write (read "
        "by `tact report --from`); with --compare, the records of the --journeys run only")]
    = None,
    holdout_days: Annotated[float | None, typer.Option(
        "--holdout-days", help="measure next best products and purchase propensity instead: "
        "fit on the history before the last N days, score against those days")] = None,
) -> None:
    """Replay event history through the journeys (in memory, virtual clock): what would they
    have sent, to how many, and what stopped the rest (caps, consent, quiet hours, exits).
    With --holdout-days: how good the next-best and propensity models are on this history."""
    from tact.backtest.history import HistoryNotFound, history_files
    from tact.backtest.render import print_compare, print_totals, to_html, to_json
    from tact.local.functions import FunctionsNotFound, find_functions_dir

    if holdout_days is not None:
        if compare is not None or as_html or lists or export is not None:
            err.print("[red]--holdout-days measures the models: it does not combine with "
                      "--compare, --html, --lists or --export[/]")
            raise typer.Exit(2)
        _holdout(events, holdout_days, as_json)
        return
    if as_json and as_html:
        err.print("[red]choose one of --json and --html[/]")
        raise typer.Exit(2)
    if workers < 1:
        err.print("[red]--workers must be at least 1[/]")
        raise typer.Exit(2)
    if export is not None:
        check_export_folder(export)
    load_journeys(journeys)  # the user's files are checked before anything runs
    if compare is not None:
        load_journeys(compare)
    try:
        history_files(events)  # says which file or folder is missing before any work
        functions = find_functions_dir(journeys)
    except (HistoryNotFound, FunctionsNotFound) as error:
        err.print(f"[red]{error}[/]", soft_wrap=True)
        raise typer.Exit(1) from None
    result = _replay(events, journeys, workers, functions, lists, export)
    if export is not None:
        err.print(f"wrote {result.exported} decision records in {result.export_files} files "
                  f"under {export}", soft_wrap=True)
    old = _replay(events, compare, workers, functions, lists) if compare is not None else None
    if as_json:
        sys.stdout.write(json.dumps(to_json(result, old, lists), indent=2) + "\n")
    elif as_html:
        sys.stdout.write(to_html(result, old))
    elif old is not None:
        print_compare(out, old, result)
    else:
        print_totals(out, result)


def generate_events(
    customers: Annotated[int, typer.Option(help="how many customers")] = 1000,
    days: Annotated[float, typer.Option(help="length of the history in days")] = 7,
    seed: Annotated[int, typer.Option(help="same seed, same events")] = 1,
    start: Annotated[str, typer.Option(help="first day (UTC), e.g. 2026-11-02")]
    = "2026-11-02",
    output: Annotated[Path | None, typer.Option("--out", "-o", help="file to write "
                                                "(default: standard output)")] = None,
) -> None:
    """Realistic synthetic shop traffic as JSON Lines: sessions, carts (~70% abandoned),
    purchases, signups, consent changes, time zones. Deterministic per seed."""
    from tact.clock import parse_iso
    from tact.generate import TrafficStats, generate, write_jsonl

    if customers < 0 or days <= 0:
        err.print("[red]--customers must be 0 or more and --days more than 0[/]")
        raise typer.Exit(2)
    try:
        first: datetime = parse_iso(start if "T" in start else f"{start}T00:00:00Z")
    except ValueError:
        err.print(f"[red]--start {start!r} is not a date like 2026-11-02[/]")
        raise typer.Exit(2) from None
    stats = TrafficStats()
    events = generate(customers, days, seed, first, stats=stats)
    if output is None:
        write_jsonl(events, sys.stdout)
    else:
        with output.open("w", encoding="utf-8") as handle:
            write_jsonl(events, handle)
    err.print(stats.summary(), soft_wrap=True)


def _replay(events: Path, journeys: Path, workers: int, functions: Path, lists: bool,
            export: Path | None = None) -> Any:
    """One backtest with a progress bar on standard error (shards done of all)."""
    from rich.progress import Progress

    from tact.backtest.runner import run_backtest

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(f"replaying through {journeys}", total=None)
        return run_backtest(events, journeys, workers, functions, lists=lists, export=export,
                            progress=lambda done, total: bar.update(task, completed=done,
                                                                    total=total))


def _holdout(events: Path, days: float, as_json: bool) -> None:
    from tact.backtest.history import HistoryNotFound
    from tact.recommend.evaluate import NothingToMeasure, holdout_file
    from tact.recommend.render import print_holdout

    if days <= 0:
        err.print("[red]--holdout-days must be more than 0[/]")
        raise typer.Exit(2)
    try:
        report, rejected = holdout_file(events, days)
    except (HistoryNotFound, NothingToMeasure) as error:
        err.print(f"[red]{error}[/]", soft_wrap=True)
        raise typer.Exit(1) from None
    for bad in rejected[:20]:
        err.print(f"[yellow]{bad['file']}:{bad['line']}: event skipped:[/] {bad['reason']}",
                  soft_wrap=True)
    if len(rejected) > 20:
        err.print(f"[yellow]... and {len(rejected) - 20} more events skipped[/]")
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        print_holdout(out, report)
