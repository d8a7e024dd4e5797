"""``tact broadcast plan``: the dry run of a broadcast, from history or the deployed table."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from tact.cli.console import JourneysDir, err, load_journeys, out

broadcast_app = typer.Typer(help="One-off messages to a segment (journeys/broadcasts/).",
                            no_args_is_help=True)


@broadcast_app.command()
def plan(
    broadcast_id: Annotated[str, typer.Argument(help="broadcast id (journeys/broadcasts/)")],
    events: Annotated[Path | None, typer.Option(
        "--events", "-e", help="event history: JSON Lines file or folder (.gz too)")] = None,
    table: Annotated[str | None, typer.Option(
        help="the deployed table instead (its consents, suppressions and cap counters)")] = None,
    segments: Annotated[int, typer.Option(
        help="BroadcastScanSegments of the deployment (for the cost)")] = 64,
    journeys: JourneysDir = Path("journeys"),
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Who would get the broadcast, who not and why, the hourly send curve per wave, the cost."""
    from tact.backtest.history import HistoryNotFound
    from tact.broadcast.commands import (
        UnknownBroadcastId,
        find,
        from_history,
        from_table,
        print_plan,
        run_plan,
        start_of,
    )
    from tact.broadcast.segment import condition_of

    if (events is None) == (table is None):
        err.print("[red]give one of --events HISTORY or --table NAME[/]")
        raise typer.Exit(2)
    project = load_journeys(journeys)
    try:
        broadcast = find(project, broadcast_id)
    except UnknownBroadcastId as error:
        err.print(f"[red]{error}[/]", soft_wrap=True)
        raise typer.Exit(1) from None
    began = time.perf_counter()
    unusable = 0
    if events is not None:
        try:
            states, unusable = from_history(events, start_of(project, broadcast))
        except HistoryNotFound as error:
            err.print(f"[red]{error}[/]", soft_wrap=True)
            raise typer.Exit(1) from None
        result = run_plan(project, broadcast, states, segments)
    else:
        from tact import clock
        from tact.store.dynamodb import DynamoStore

        states_iter = from_table(DynamoStore(str(table)), condition_of(
            broadcast, project.segments), clock.now())
        result = run_plan(project, broadcast, states_iter, segments)
    seconds = time.perf_counter() - began
    if as_json:
        sys.stdout.write(json.dumps({**result.to_json(), "seconds": round(seconds, 1),
                                     "unusable_lines": unusable}, indent=2) + "\n")
        return
    print_plan(out, result, broadcast, unusable)
    if events is not None:
        out.print("[dim]from history: consents and profiles as of the first wave; frequency "
                  "caps count the messages recorded before it (none in shop events; --table "
                  "reads the deployed counters)[/]")
    out.print(f"[dim]planned in {seconds:.1f} s[/]")
