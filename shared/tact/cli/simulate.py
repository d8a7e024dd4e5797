"""``tact simulate`` and ``tact history``: replay events locally, read what happened."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from tact.cli.console import JourneysDir, err, load_journeys, out


def simulate(
    events: Annotated[Path, typer.Option("--events", "-e", help="JSON Lines of shop events")],
    journeys: JourneysDir = Path("journeys"),
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    store: Annotated[str, typer.Option(help="moto (default) or memory for large runs")] = "moto",
    html: Annotated[Path | None, typer.Option("--html", help="also write a self-contained "
                                              "HTML report: graph, sends per hour, funnel")] = None,
    save_run: Annotated[Path | None, typer.Option(
        "--save-run", help="where to keep the run's store contents for `tact history`")] = Path(
        ".tact/last-run.json"),
    history_file: Annotated[Path | None, typer.Option(
        "--history", help="older events the next-best/propensity model learns from before "
        "the replay (not replayed); the model also sees the replayed events")] = None,
) -> None:
    """Replay shop events on a virtual clock: who got what, when, and who did not and why."""
    from tact.local.functions import FunctionsNotFound
    from tact.local.simulator import simulate_file

    for given in (events, history_file):
        if given is not None and not given.is_file():
            err.print(f"[red]{given}: file not found[/]", soft_wrap=True)
            raise typer.Exit(1)
    if store not in ("moto", "memory"):
        err.print("[red]--store must be 'moto' or 'memory'[/]")
        raise typer.Exit(2)
    load_journeys(journeys)  # report problems in the user's files before anything runs
    try:
        if as_json or not sys.stderr.isatty():
            report = simulate_file(events, journeys, store,  # type: ignore[arg-type]
                                   history_path=history_file)
        else:
            report = _with_progress(events, journeys, store, history_file)
    except FunctionsNotFound as error:
        err.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    for bad in report.rejected_events:
        err.print(f"[yellow]{bad.get('file', events)}:{bad.get('line', '?')}: event skipped:[/] "
                  f"{bad['reason']}", soft_wrap=True)
    if save_run is not None:
        from tact.sending.history import save_run as save

        save(save_run, report.items)  # read by `tact history CUSTOMER`
    if html is not None:
        from tact.local.simulator import read_events
        from tact.report.local import write_html

        write_html(html, report, journeys, read_events(events)[0])
        err.print(f"wrote {html}")
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
        return
    _print_timeline(report)


def _with_progress(events: Path, journeys: Path, store: str,  # type: ignore[no-untyped-def]
                   history_file: Path | None = None):
    from rich.progress import Progress

    from tact.local.simulator import simulate_file

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("simulating", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return simulate_file(events, journeys, store, progress,  # type: ignore[arg-type]
                             history_path=history_file)


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
    out.print(f"[bold]{len(report.messages)}[/] messages sent, "
              f"[bold]{len(report.suppressed)}[/] not sent")
    reasons: dict[str, int] = {}
    for item in report.suppressed:
        reasons[item["reason"]] = reasons.get(item["reason"], 0) + 1
    for reason, count in sorted(reasons.items()):
        out.print(f"  {reason}: {count}")


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
