"""``tact report``: funnel, A/B and holdout lift, revenue, from decision records.

Records of a simulated run (``--events``), of an export or production's S3 prefix (``--from``,
read by DuckDB), or of the Glue table through Athena (``--athena``): one SQL, one report.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tact.cli.console import JourneysDir, err, load_journeys, out

if TYPE_CHECKING:
    from tact.analytics.report import Report


def report(
    events: Annotated[Path | None, typer.Option(
        "--events", "-e", help="JSON Lines of shop events: simulate them, report the run")] = None,
    source: Annotated[str | None, typer.Option(
        "--from", help="folder or s3://bucket/prefix of decision records (`simulate --export`, "
        "or the deployed stream's bucket)")] = None,
    athena: Annotated[str | None, typer.Option(
        "--athena", help="run the report's SQL on Athena in this workgroup")] = None,
    database: Annotated[str, typer.Option(help="Glue database of the decisions table "
                                          "(--athena)")] = "tact_decisions",
    journeys: JourneysDir = Path("journeys"),
    goal: Annotated[str | None, typer.Option(help="with --events: measure conversions on this "
                                             "event (default: the journey's goal steps)")] = None,
    window: Annotated[str, typer.Option(help="attribution window after entry")] = "7d",
    min_sample: Annotated[int, typer.Option(help="customers per group before a winner is "
                                            "named")] = 100,
    since: Annotated[str | None, typer.Option(help="only decisions from this ISO date/time")
                     ] = None,
    store: Annotated[str, typer.Option(
        help="with --events: memory (default: fast, pinned to DynamoDB's semantics by the store "
        "contract tests) or moto (emulated AWS, for fidelity runs)")] = "memory",
    endpoint_url: Annotated[str | None, typer.Option(
        "--endpoint-url", help="S3 endpoint for --from s3:// (default: AWS_ENDPOINT_URL_S3)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="also write an HTML report")] = None,
) -> None:
    """Funnel per journey and step, A/B and holdout lift, revenue: from a simulated run,
    exported records, S3 or Athena. Counts are customers; conversions within --window."""
    from tact.analytics.queries import since_text
    from tact.journey.durations import parse_duration
    from tact.report.local import write_html
    from tact.report.render import print_report

    if sum(x is not None for x in (events, source, athena)) != 1:
        err.print("[red]give exactly one of --events FILE, --from DIR|s3://... or "
                  "--athena WORKGROUP[/]")
        raise typer.Exit(2)
    if goal and events is None:
        err.print("[red]--goal works with --events; deployed records carry the journey's "
                  "goals[/]")
        raise typer.Exit(2)
    try:
        window_ms = parse_duration(window) * 1000
    except ValueError as error:
        err.print(f"[red]--window: {error}[/]")
        raise typer.Exit(2) from None
    try:
        after = since_text(since)
    except ValueError:
        err.print(f"[red]--since: {since!r} is not an ISO date or date-time[/]")
        raise typer.Exit(2) from None
    if events is not None:
        result = _of_events(events, journeys, store, goal, window_ms, min_sample, after)
    elif source is not None:
        from tact.analytics.compute import report_from

        if not source.startswith("s3://") and not Path(source).is_dir():
            err.print(f"[red]--from {source}: no such folder[/]", soft_wrap=True)
            raise typer.Exit(1)
        endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get(
            "AWS_ENDPOINT_URL")
        result = report_from(source, window_ms, min_sample, after, endpoint)
    else:
        result = _of_athena(str(athena), database, window_ms, min_sample, after)
    if html is not None:
        write_html(html, result, journeys)
        err.print(f"wrote {html}")
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    print_report(out, result)


def _of_events(events: Path, journeys: Path, store: str, goal: str | None, window_ms: int,
               min_sample: int, since: str) -> Report:
    from tact.local.functions import FunctionsNotFound
    from tact.local.simulator import simulate_file
    from tact.report.local import report_of_run

    if not events.is_file():
        err.print(f"[red]{events}: file not found[/]")
        raise typer.Exit(1)
    load_journeys(journeys)
    try:
        run = simulate_file(events, journeys, "memory" if store == "memory" else "moto",
                            goal=goal)
    except FunctionsNotFound as error:
        err.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    return report_of_run(run, window_ms, min_sample, since)


def _of_athena(workgroup: str, database: str, window_ms: int, min_sample: int,
               since: str) -> Report:
    from botocore.exceptions import BotoCoreError, ClientError

    from tact.analytics.athena import AthenaQueryFailed, AthenaRecords
    from tact.analytics.report import compute_report

    try:
        return compute_report(AthenaRecords(workgroup, database), window_ms, min_sample, since)
    except (AthenaQueryFailed, ClientError, BotoCoreError) as error:
        err.print(f"[red]Athena: {error}[/]", soft_wrap=True)
        raise typer.Exit(1) from None
