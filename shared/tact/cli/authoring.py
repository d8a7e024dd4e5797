"""``tact graph``, ``tact new`` and ``tact preview``: draw, start and render journeys."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tact.cli.console import JourneysDir, err, load_journeys, out, print_diagnostics


def graph(
    journey: Annotated[str, typer.Argument(help="journey id or file")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="mermaid, svg or png")] = "mermaid",
    output: Annotated[Path | None, typer.Option("--out", "-o", help="image file")] = None,
    journeys: JourneysDir = Path("journeys"),
) -> None:
    """Draw a journey: Mermaid text, or an SVG/PNG where Graphviz or mermaid-cli is installed."""
    from tact.journey.graph import GraphToolMissing, mermaid, render_image

    if fmt not in ("mermaid", "svg", "png"):
        err.print(f"[red]--format must be mermaid, svg or png, not {fmt!r}[/]")
        raise typer.Exit(2)
    project = load_journeys(journeys)
    journey_id = Path(journey).stem if journey.endswith((".yaml", ".yml")) else journey
    found = project.journeys.get(journey_id)
    if found is None and journey_id in project.broadcasts:
        from tact.broadcast.graph import broadcast_mermaid
        from tact.broadcast.segment import condition_of

        if fmt != "mermaid":
            err.print("[red]a broadcast is drawn as Mermaid text (--format mermaid)[/]")
            raise typer.Exit(1)
        broadcast = project.broadcasts[journey_id]
        sys.stdout.write(broadcast_mermaid(broadcast, condition_of(broadcast, project.segments)))
        return
    if found is None:
        err.print(f"[red]no journey {journey_id!r} in {journeys}[/]; known: "
                  f"{', '.join(sorted(project.journeys))}")
        raise typer.Exit(1)
    if fmt == "mermaid":
        sys.stdout.write(mermaid(found))
        return
    target = output or Path(f"{journey_id}.{fmt}")
    try:
        tool = render_image(found, fmt, target)
    except GraphToolMissing as error:
        err.print(f"[red]{error}[/]", soft_wrap=True)
        raise typer.Exit(1) from None
    out.print(f"wrote {target} (with {tool})")


def new(
    name: Annotated[str, typer.Argument(help="id of the new journey, lower_snake_case")],
    from_: Annotated[str, typer.Option("--from", help="abandoned_cart, welcome, post_purchase, "
                                       "winback or checkout_reminder (an A/B test with a "
                                       "holdout)")] = "abandoned_cart",
    journeys: JourneysDir = Path("journeys"),
) -> None:
    """Start a journey from a tested example (its templates are copied too)."""
    from tact.journey.scaffold import ScaffoldError, scaffold

    try:
        made = scaffold(name, from_, journeys)
    except ScaffoldError as error:
        err.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    out.print(f"wrote {made.journey}")
    for path in made.templates:
        out.print(f"wrote {path}")
    for kept in made.kept:
        out.print(f"kept existing template {kept}")
    _warn_about(made.journey, journeys)
    out.print(f"next: edit it, then `tact validate {journeys}` and `tact graph {name}`")


def _warn_about(path: Path, journeys: Path) -> None:
    """What `tact validate` would say of the new file (e.g. a second journey on one trigger)."""
    from tact.diagnostics import ProjectError
    from tact.journey.project import load_project

    try:
        found = load_project(journeys).diagnostics
    except ProjectError as error:
        found = error.diagnostics
    print_diagnostics([d for d in found if Path(d.file).resolve() == path.resolve()])


def preview(
    template: Annotated[str, typer.Argument(help="template name (file in journeys/templates)")],
    customer: Annotated[Path, typer.Option("--customer", "-c", help="YAML/JSON sample: "
                                           "customer attributes and optionally an event")],
    channel: Annotated[str | None, typer.Option(help="only this channel")] = None,
    locale: Annotated[str | None, typer.Option(
        help="render for this locale (fi, sv-FI, ...), 'default' for the default parts, or "
        "'all' for each part in turn; without it, the sample customer's locale")] = None,
    journeys: JourneysDir = Path("journeys"),
) -> None:
    """Render a template for a sample customer, strictly (undefined names are errors)."""
    from tact.templates import DEFAULT_PART, PreviewError, preview_localized

    project = load_journeys(journeys)
    found = project.templates.get(template)
    tags: list[str | None] = [locale]
    if locale == "all":
        tags = [DEFAULT_PART, *(found.locales if found is not None else [])]
    for tag in tags:
        try:
            chosen, rendered = preview_localized(project, template, customer, channel, tag)
        except PreviewError as error:
            err.print(f"[red]{error}[/]", soft_wrap=True)
            raise typer.Exit(1) from None
        for chan, fields in rendered.items():
            out.print(f"[bold]── {chan} ({chosen}) ──[/]")
            for field_name, text in fields.items():
                out.print(f"[dim]{field_name}:[/]", soft_wrap=True)
                out.print(text.rstrip(), markup=False, soft_wrap=True)
