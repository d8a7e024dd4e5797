"""``tact report``: funnels, A/B and holdout lift from a simulated run."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from tact.cli.console import JourneysDir, err, load_journeys, out


def report(
    events: Annotated[Path, typer.Option("--events", "-e", help="JSON Lines of shop events")],
    journeys: JourneysDir = Path("journeys"),
    goal: Annotated[str | None, typer.Option(help="conversion event (default: the journey's "
                                             "goal steps)")] = None,
    window: Annotated[str, typer.Option(help="attribution window after entry")] = "7d",
    min_sample: Annotated[int, typer.Option(help="entries per group before a winner is "
                                            "named")] = 100,
    since: Annotated[str | None, typer.Option(help="only entries from this ISO date/time")] = None,
    store: Annotated[str, typer.Option(
        help="memory (default: fast, pinned to DynamoDB's semantics by the store contract "
        "tests) or moto (emulated AWS, for fidelity runs)")] = "memory",
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="also write an HTML report")] = None,
) -> None:
    """Funnel per journey and step, A/B and holdout lift with p-values, from a simulated run."""
    from datetime import timedelta

    from tact.journey.durations import parse_duration
    from tact.local.simulator import read_events, simulate_file
    from tact.report.html import render_html
    from tact.report.local import funnels_for_run
    from tact.report.render import print_funnels

    if not events.is_file():
        err.print(f"[red]{events}: file not found[/]")
        raise typer.Exit(1)
    try:
        span = timedelta(seconds=parse_duration(window))
    except ValueError as error:
        err.print(f"[red]--window: {error}[/]")
        raise typer.Exit(2) from None
    from tact.local.functions import FunctionsNotFound

    load_journeys(journeys)
    try:
        run = simulate_file(events, journeys, "memory" if store == "memory" else "moto")
    except FunctionsNotFound as error:
        err.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    funnels, definitions = funnels_for_run(run, journeys, read_events(events)[0], goal, span,
                                           min_sample, since)
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(funnels, definitions, run.messages), encoding="utf-8")
        err.print(f"wrote {html}")
    if as_json:
        sys.stdout.write(json.dumps([f.to_json() for f in funnels], indent=2) + "\n")
        return
    print_funnels(out, funnels)
