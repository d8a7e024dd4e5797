"""``tact import-pinpoint``: bring a Pinpoint journey over as Tact files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tact.cli.console import err, out


def import_pinpoint(
    file: Annotated[Path, typer.Argument(help="Pinpoint journey JSON (aws pinpoint get-journey)")],
    out_dir: Annotated[Path, typer.Option("--out", help="journeys folder to write into")] = Path(
        "journeys"),
    event_map: Annotated[list[str] | None, typer.Option(
        "--event-map", help="PINPOINT_EVENT=tact_event, repeatable")] = None,
    trigger: Annotated[str | None, typer.Option(
        help="Tact event that enters customers (for segment-started journeys)")] = None,
    force: Annotated[bool, typer.Option(help="overwrite an existing journey file")] = False,
    broadcast: Annotated[bool, typer.Option(
        "--broadcast", help="a segment-started journey as broadcasts (one per first message) "
        "plus a segment scaffold; campaigns always are")] = False,
    segment: Annotated[Path | None, typer.Option(
        help="the Pinpoint segment's JSON (aws pinpoint get-segment): its dimensions become "
        "the segment's condition")] = None,
) -> None:
    """Bring a Pinpoint journey or campaign over: journey or broadcast YAML, settings, segment
    and template scaffolds, a report of what could not be mapped; exit 1 when something must
    still be filled in."""
    from tact.pinpoint.broadcasts import is_campaign
    from tact.pinpoint.importer import (
        PinpointImportError,
        import_broadcasts,
        import_file,
        print_broadcast_report,
        print_report,
        read_pinpoint,
    )

    try:
        campaign = is_campaign(read_pinpoint(file))
        if broadcast or campaign:
            made = import_broadcasts(file, out_dir, segment, force)
            print_broadcast_report(out, made)
            if not made.complete:
                raise typer.Exit(1)
            return
    except PinpointImportError as error:
        err.print(f"[red]{error}[/]", soft_wrap=True)
        raise typer.Exit(2) from None

    mapping: dict[str, str] = {}
    for item in event_map or []:
        name, sep, tact_event = item.partition("=")
        if not sep or not name or not tact_event:
            err.print(f"[red]--event-map {item!r}: write PINPOINT_EVENT=tact_event[/]")
            raise typer.Exit(2)
        mapping[name] = tact_event
    try:
        result = import_file(file, out_dir, mapping, trigger, force)
    except PinpointImportError as error:
        err.print(f"[red]{error}[/]", soft_wrap=True)
        raise typer.Exit(2) from None
    print_report(out, result)
    if not result.complete:
        raise typer.Exit(1)
