"""``tact simulate`` and ``tact history``: replay events locally, read what happened."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Annotated, Any

import typer

from tact.cli.console import JourneysDir, check_export_folder, err, load_journeys, out


def simulate(
    events: Annotated[Path, typer.Option("--events", "-e", help="JSON Lines of shop events")],
    journeys: JourneysDir = Path("journeys"),
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    store: Annotated[str, typer.Option(
        help="memory (default: fast, its semantics pinned to DynamoDB's by the store contract "
        "tests) or moto (DynamoDB, SES and Step Functions emulated, for fidelity runs)")
    ] = "memory",
    timeline: Annotated[bool, typer.Option(
        "--timeline", help="print every event, entry and message in time order, not only the "
        "summary per journey")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="also write a self-contained "
                                              "HTML report: graph, sends per hour, funnel")] = None,
    save_run: Annotated[Path | None, typer.Option(
        "--save-run", help="where to keep the run's store contents for `tact history`")] = Path(
        ".tact/last-run.json"),
    history_file: Annotated[Path | None, typer.Option(
        "--history", help="older events the next-best/propensity model learns from before "
        "the replay (not replayed); the model also sees the replayed events")] = None,
    goal: Annotated[str | None, typer.Option(help="measure conversions on this event (default: "
                                             "the journey's goal steps)")] = None,
    export: Annotated[Path | None, typer.Option(
        "--export", help="write the run's decision records to this new or empty folder, in the "
        "layout the deployed stream writes to S3 (read by `tact report --from`)")] = None,
) -> None:
    """Replay shop events on a virtual clock: who got what, when, and who did not and why.

    Exits 1 when events were skipped (not valid, or dead-lettered), with a count per reason.
    """
    from tact.local.functions import FunctionsNotFound

    for given in (events, history_file):
        if given is not None and not given.is_file():
            err.print(f"[red]{given}: file not found[/]", soft_wrap=True)
            raise typer.Exit(1)
    if store not in ("moto", "memory"):
        err.print("[red]--store must be 'memory' or 'moto'[/]")
        raise typer.Exit(2)
    if export is not None:
        check_export_folder(export)
    load_journeys(journeys)  # report problems in the user's files before anything runs
    try:
        report = run_with_progress(events, journeys, store, history_file, goal)
    except FunctionsNotFound as error:
        err.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    for bad in report.rejected_events:
        err.print(f"[yellow]{bad.get('file', events)}:{bad.get('line', '?')}: event skipped:[/] "
                  f"{bad['reason']}", soft_wrap=True)
    if save_run is not None:
        from tact.sending.history import save_run as save

        save(save_run, report.items)  # read by `tact history CUSTOMER`
    if export is not None:
        from tact.analytics.export import write_export

        files = write_export(export, report.decisions)
        err.print(f"wrote {len(report.decisions)} decision records in {len(files)} files "
                  f"under {export}")
    if html is not None:
        from tact.report.local import report_of_run, write_html

        write_html(html, report_of_run(report), journeys, "Tact simulation report")
        err.print(f"wrote {html}")
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        if timeline:
            _print_timeline(report)
        print_summary(report, timeline)
    skipped_events_exit(report.rejected_events)


def skipped_events_exit(rejected: list[dict[str, Any]]) -> None:
    """A bad event is never passed over quietly: count them per reason, and exit 1."""
    if not rejected:
        return
    by_reason = Counter(skip_reason(bad["reason"]) for bad in rejected)
    err.print(f"[red]{len(rejected)} event(s) skipped[/] (fix them and run again):",
              soft_wrap=True)
    for reason, count in sorted(by_reason.items(), key=lambda rc: (-rc[1], rc[0])):
        err.print(f"  {reason}: {count}", soft_wrap=True)
    raise typer.Exit(1)


def skip_reason(reason: str) -> str:
    """The kind of a skip reason, for counting: ``data.value: Input ...`` -> ``data.value``."""
    dead = reason.startswith("dead-lettered")
    detail = reason.split(": ", 1)[1] if dead and ": " in reason else reason
    field = detail.split(";")[0].split(":")[0].strip()
    return f"dead-lettered ({field})" if dead else field or reason


PROGRESS_AFTER = 2.0  # seconds: a short run prints no bar at all


def run_with_progress(events: Path, journeys: Path, store: str,  # type: ignore[no-untyped-def]
                      history_file: Path | None = None, goal: str | None = None):
    """The simulation, with a progress bar on the terminal once it has run a few seconds."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from tact.local.simulator import simulate_file

    bar = Progress("simulating", BarColumn(), MofNCompleteColumn(), "events",
                   TimeRemainingColumn(), console=err, transient=True)
    task = bar.add_task("simulating", total=None)
    started = time.monotonic()
    shown = [False]

    def progress(done: int, total: int) -> None:
        if not shown[0] and err.is_terminal and time.monotonic() - started > PROGRESS_AFTER:
            bar.start()
            shown[0] = True
        bar.update(task, completed=done, total=total)

    try:
        return simulate_file(events, journeys, store, progress,  # type: ignore[arg-type]
                             history_path=history_file, goal=goal)
    finally:
        if shown[0]:
            bar.stop()


def print_summary(report: Any, timeline: bool) -> None:
    """Per journey: who entered, what was sent (per step), what was not and why."""
    from rich.table import Table

    entered: dict[str, set[str]] = defaultdict(set)
    entries: Counter[str] = Counter()
    for execution in report.executions:
        entered[execution["journey"]].add(execution["customer_id"])
        entries[execution["journey"]] += 1
    sent: dict[str, Counter[str]] = defaultdict(Counter)
    for message in report.messages:
        sent[message["journey"]][message["step"]] += 1
    not_sent: dict[str, Counter[str]] = defaultdict(Counter)
    for item in report.suppressed:
        not_sent[item["journey"]][item["reason"]] += 1
    table = Table(title="Simulated, per journey (virtual clock)", title_justify="left")
    for column in ("journey", "customers entered", "entries", "sent (per step)",
                   "not sent (why)"):
        table.add_column(column, justify="right" if column in ("customers entered", "entries")
                         else "left")
    for journey in sorted({*entered, *sent, *not_sent}):
        table.add_row(journey, str(len(entered[journey])), str(entries[journey]),
                      _counts(sent[journey]), _counts(not_sent[journey]))
    out.print(table)
    out.print(f"[bold]{len(report.messages)}[/] messages sent, "
              f"[bold]{len(report.suppressed)}[/] not sent"
              + ("" if timeline else "; `--timeline` shows every step, `tact history CUSTOMER` "
                 "one customer"), soft_wrap=True)


def _counts(counts: Counter[str]) -> str:
    total = sum(counts.values())
    if not total:
        return "0"
    return f"{total}: " + ", ".join(f"{name} {n}" for name, n in sorted(counts.items()))


_STYLE = {"sent": "green", "not sent": "red", "skipped": "red", "stopped": "yellow",
          "started": "cyan", "ended": "yellow", "deferred": "yellow", "failed": "bold red",
          "event": "dim"}


def _print_timeline(report) -> None:  # type: ignore[no-untyped-def]
    out.print("[bold]Simulated timeline[/] (UTC, virtual clock)")
    width = max((len(e.customer_id) for e in report.timeline), default=8)
    for entry in report.timeline:
        style = _STYLE.get(entry.what, "")
        what = f"[{style}]{entry.what:<8}[/]" if style else f"{entry.what:<8}"
        where = "/".join(p for p in (entry.journey, entry.step) if p)
        line = f"{entry.at.replace('T', ' ').rstrip('Z')}  {entry.customer_id:<{width}}  {what}"
        out.print(f"{line}  {where}  {entry.detail}".rstrip(), soft_wrap=True)
    out.print()


def history(
    customer: Annotated[str, typer.Argument(help="customer id")],
    table: Annotated[str | None, typer.Option(
        "--table", help="read the deployed DynamoDB table, not the last simulate run")] = None,
    run: Annotated[Path, typer.Option("--run", help="saved run of `tact simulate`")] = Path(
        ".tact/last-run.json"),
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Every message (sent or not, and why), consent decision and suppression of a customer."""
    from tact.sending.history import as_json as rows_json
    from tact.sending.history import history as rows_of
    from tact.sending.history import load_run

    if table:
        from tact import clock
        from tact.store.dynamodb import DynamoStore

        items = DynamoStore(table).read_customer(customer, clock.now())
    elif not run.is_file():
        err.print(f"[red]{run}: no saved run; run `tact simulate` first, or pass --table[/]")
        raise typer.Exit(1)
    else:
        found = load_run(run, customer)
        if found is None:
            err.print(f"[red]{customer}: not in the last simulate run ({run})[/]")
            raise typer.Exit(1)
        items = found
    rows = rows_of(items)
    if as_json:
        sys.stdout.write(json.dumps(rows_json(rows), indent=2) + "\n")
        return
    from rich.table import Table

    table_out = Table(title=f"History of {customer}")
    for column in ("time (UTC)", "kind", "what", "channel", "journey", "step", "detail"):
        table_out.add_column(column)
    for row in rows:
        table_out.add_row(row.at.replace("T", " ").rstrip("Z"), row.kind, row.what, row.channel,
                          row.journey, row.step, row.detail)
    out.print(table_out)
