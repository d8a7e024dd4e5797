"""What every ``tact`` command shares: the two consoles, diagnostics, loading the journeys."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, ConsoleDimensions

from tact.diagnostics import Diagnostic, ProjectError

PIPED_WIDTH = 10_000


class _WholeLinesWhenPiped(Console):
    """Piped or redirected (`tact history | cat`), lines are kept whole: tables at their
    natural width, no cell cut or wrapped at 80 columns. A terminal keeps its own width."""

    @Console.size.getter  # type: ignore[attr-defined]
    def size(self) -> ConsoleDimensions:
        found = Console.size.fget(self)  # type: ignore[attr-defined]
        return found if self.is_terminal else ConsoleDimensions(PIPED_WIDTH, found.height)


out = _WholeLinesWhenPiped(highlight=False)
err = Console(stderr=True, highlight=False)

JourneysDir = Annotated[Path, typer.Option("--journeys", "-j", help="folder of journey files")]


def print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    from rich.markup import escape

    for d in sorted(diagnostics):
        colour = "red" if d.severity == "error" else "yellow"
        # Escaped: messages quote user text such as [purchase_completed] or regex classes.
        err.print(f"[{colour}]{escape(d.file)}:{d.line}:{d.col}: {d.severity}:[/] "
                  f"{escape(d.message)}", soft_wrap=True)
        if d.hint:
            err.print(f"    hint: {escape(d.hint)}", soft_wrap=True)


def load_journeys(journeys: Path):  # type: ignore[no-untyped-def]
    from tact.journey.project import load_project, require_valid

    try:
        project = load_project(journeys)
        print_diagnostics([d for d in project.diagnostics if d.severity == "warning"])
        return require_valid(project)
    except ProjectError as error:
        print_diagnostics(error.diagnostics)
        raise typer.Exit(1) from None


def check_export_folder(export: Path) -> None:
    """``--export DIR`` must be new or hold no decision records: an earlier run's files (of
    other hours, or other parts) would stay beside this run's and be reported with them."""
    from tact.analytics.duck import holds_records

    if export.exists() and not export.is_dir():
        err.print(f"[red]--export {export}: not a folder[/]", soft_wrap=True)
        raise typer.Exit(2)
    if holds_records(export):
        err.print(f"[red]--export {export}: already holds decision records (of an earlier "
                  "run?); give a new or empty folder[/]", soft_wrap=True)
        raise typer.Exit(2)
