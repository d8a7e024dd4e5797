"""The ``tact`` command: validate, build and simulate journeys."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tact.diagnostics import Diagnostic, ProjectError

app = typer.Typer(help="Consent-first customer journeys on AWS, as code.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

JourneysDir = Annotated[Path, typer.Option("--journeys", "-j", help="folder of journey files")]


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    from rich.markup import escape

    for d in sorted(diagnostics):
        colour = "red" if d.severity == "error" else "yellow"
        # Escaped: messages quote user text such as [purchase_completed] or regex classes.
        err.print(f"[{colour}]{escape(d.file)}:{d.line}:{d.col}: {d.severity}:[/] "
                  f"{escape(d.message)}", soft_wrap=True)
        if d.hint:
            err.print(f"    hint: {escape(d.hint)}", soft_wrap=True)


def _load(journeys: Path):  # type: ignore[no-untyped-def]
    from tact.journey.project import load_project, require_valid

    try:
        project = load_project(journeys)
        _print_diagnostics([d for d in project.diagnostics if d.severity == "warning"])
        return require_valid(project)
    except ProjectError as error:
        _print_diagnostics(error.diagnostics)
        raise typer.Exit(1) from None


@app.command()
def validate(journeys: Annotated[Path, typer.Argument(help="folder of journey files")] = Path(
        "journeys")) -> None:
    """Check journey files, settings and templates; exit 1 with file:line:col on errors."""
    project = _load(journeys)
    out.print(f"[green]ok[/]: {len(project.journeys)} journeys, "
              f"{len(project.templates)} templates valid")


@app.command()
def build(out_dir: Annotated[Path, typer.Option("--out", help="where to write definitions")] = Path(
        "infra/generated"), journeys: JourneysDir = Path("journeys"),
        check: Annotated[bool, typer.Option(
            "--check", help="write nothing; exit 1 if the files in --out are stale")] = False,
) -> None:
    """Compile every journey to <id>.asl.json, plus bundle.json and the journeys' SAM stack."""
    from tact.infra_gen import generated_files, stale_files, write_files

    project = _load(journeys)
    files = generated_files(project)
    if check:
        problems = stale_files(out_dir, files)
        for problem in problems:
            err.print(f"[red]{problem}[/]", soft_wrap=True)
        if problems:
            err.print(f"run `tact build --out {out_dir}` and commit the result", soft_wrap=True)
            raise typer.Exit(1)
        out.print(f"[green]ok[/]: {out_dir} is up to date ({len(files)} files)")
        return
    for path in write_files(out_dir, files):
        out.print(f"wrote {path}")


@app.command()
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
) -> None:
    """Replay shop events on a virtual clock: who got what, when, and who did not and why."""
    from tact.local.functions import FunctionsNotFound
    from tact.local.simulator import simulate_file

    if not events.is_file():
        err.print(f"[red]{events}: file not found[/]")
        raise typer.Exit(1)
    if store not in ("moto", "memory"):
        err.print("[red]--store must be 'moto' or 'memory'[/]")
        raise typer.Exit(2)
    _load(journeys)  # report problems in the user's files before anything runs
    try:
        if as_json or not sys.stderr.isatty():
            report = simulate_file(events, journeys, store)  # type: ignore[arg-type]
        else:
            report = _with_progress(events, journeys, store)
    except FunctionsNotFound as error:
        err.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    for bad in report.rejected_events:
        err.print(f"[yellow]{events}:{bad.get('line', '?')}: event skipped:[/] {bad['reason']}",
                  soft_wrap=True)
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


def _with_progress(events: Path, journeys: Path, store: str):  # type: ignore[no-untyped-def]
    from rich.progress import Progress

    from tact.local.simulator import simulate_file

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("simulating", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return simulate_file(events, journeys, store, progress)  # type: ignore[arg-type]


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


@app.command()
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


@app.command()
def cost(
    journeys: JourneysDir = Path("journeys"),
    entries: Annotated[int, typer.Option(help="journey entries to price")] = 1_000_000,
    region: Annotated[str, typer.Option(help="AWS region the prices are for")] = "us-east-1",
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Cost per N entries of each journey, from its compiled state machine, with the prices used."""
    from tact.cost.estimate import estimate
    from tact.cost.render import print_costs
    from tact.journey.bundle import build as build_bundle

    project = _load(journeys)
    _, definitions = build_bundle(project)
    costs = [estimate(jid, definition, project.settings, entries)
             for jid, definition in sorted(definitions.items())]
    if as_json:
        sys.stdout.write(json.dumps({"journeys": [c.to_json() for c in costs],
                                     "prices": project.settings.prices.model_dump()}, indent=2))
        return
    print_costs(out, costs, project.settings.prices, region)


@app.command()
def report(
    events: Annotated[Path, typer.Option("--events", "-e", help="JSON Lines of shop events")],
    journeys: JourneysDir = Path("journeys"),
    goal: Annotated[str | None, typer.Option(help="conversion event (default: the journey's "
                                             "goal steps)")] = None,
    window: Annotated[str, typer.Option(help="attribution window after entry")] = "7d",
    min_sample: Annotated[int, typer.Option(help="entries per group before a winner is "
                                            "named")] = 100,
    since: Annotated[str | None, typer.Option(help="only entries from this ISO date/time")] = None,
    store: Annotated[str, typer.Option(help="moto (default) or memory for large runs")] = "moto",
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

    _load(journeys)
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


@app.command()
def schema(out_dir: Annotated[Path, typer.Option("--out", help="where to write them")] = Path(
        "infra/schemas/journeys")) -> None:
    """Write the JSON Schemas of journey, settings and template files (editor completion)."""
    from tact.journey.schema import write_schemas

    for path in write_schemas(out_dir):
        out.print(f"wrote {path}")


@app.command()
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
    project = _load(journeys)
    journey_id = Path(journey).stem if journey.endswith((".yaml", ".yml")) else journey
    found = project.journeys.get(journey_id)
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


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="id of the new journey, lower_snake_case")],
    from_: Annotated[str, typer.Option("--from", help="abandoned_cart, welcome, post_purchase "
                                       "or winback")] = "abandoned_cart",
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
    out.print(f"next: edit it, then `tact validate {journeys}` and `tact graph {name}`")


@app.command()
def preview(
    template: Annotated[str, typer.Argument(help="template name (file in journeys/templates)")],
    customer: Annotated[Path, typer.Option("--customer", "-c", help="YAML/JSON sample: "
                                           "customer attributes and optionally an event")],
    channel: Annotated[str | None, typer.Option(help="only this channel")] = None,
    journeys: JourneysDir = Path("journeys"),
) -> None:
    """Render a template for a sample customer, strictly (undefined names are errors)."""
    from tact.templates import PreviewError, preview_template

    project = _load(journeys)
    try:
        rendered = preview_template(project, template, customer, channel)
    except PreviewError as error:
        err.print(f"[red]{error}[/]", soft_wrap=True)
        raise typer.Exit(1) from None
    for chan, fields in rendered.items():
        out.print(f"[bold]── {chan} ──[/]")
        for field_name, text in fields.items():
            out.print(f"[dim]{field_name}:[/]", soft_wrap=True)
            out.print(text.rstrip(), markup=False, soft_wrap=True)


def _register_backtest() -> None:
    from tact.backtest.commands import backtest, generate_events

    app.command("backtest")(backtest)
    app.command("generate-events")(generate_events)


_register_backtest()


@app.command("import-pinpoint")
def import_pinpoint(
    file: Annotated[Path, typer.Argument(help="Pinpoint journey JSON (aws pinpoint get-journey)")],
    out_dir: Annotated[Path, typer.Option("--out", help="journeys folder to write into")] = Path(
        "journeys"),
    event_map: Annotated[list[str] | None, typer.Option(
        "--event-map", help="PINPOINT_EVENT=tact_event, repeatable")] = None,
    trigger: Annotated[str | None, typer.Option(
        help="Tact event that enters customers (for segment-started journeys)")] = None,
    force: Annotated[bool, typer.Option(help="overwrite an existing journey file")] = False,
) -> None:
    """Bring a Pinpoint journey over: journey YAML, settings and template scaffolds, a report of
    what could not be mapped; exit 1 when something must still be filled in."""
    from tact.pinpoint.importer import PinpointImportError, import_file, print_report

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
    if not result.valid:
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
