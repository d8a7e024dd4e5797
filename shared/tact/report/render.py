"""Print funnels and comparisons in the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from tact.report.funnel import JourneyFunnel
from tact.report.stats import format_p


def _reasons(counts: dict[str, int]) -> str:
    return ", ".join(f"{reason} {n}" for reason, n in sorted(counts.items())) or "-"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1%}"


def print_funnels(console: Console, funnels: list[JourneyFunnel]) -> None:
    idle = [f.journey for f in funnels if not f.entries and not f.not_entered]
    for funnel in funnels:
        if funnel.journey in idle:
            continue
        console.print(f"[bold]{funnel.journey}[/]: {funnel.entered} entered"
                      + (f" ({funnel.control} in the holdout)" if funnel.control else "")
                      + f", {funnel.sent} sent, {sum(funnel.suppressed.values())} not sent, "
                      f"{funnel.exited} exited, {funnel.converted} converted"
                      + (f" (goal: {', '.join(funnel.goals)})" if funnel.goals else
                         " (no goal: add a `goal` step or pass --goal EVENT)"))
        if funnel.not_entered:
            console.print(f"  triggers that did not enter: {_reasons(funnel.not_entered)}")
        table = Table(show_lines=False)
        for column in ("step", "kind", "reached", "sent", "not sent (reason)"):
            table.add_column(column)
        for row in funnel.steps:
            table.add_row(row.step, row.kind, str(row.reached),
                          str(row.sent) if row.kind == "send" else "", _reasons(row.suppressed)
                          if row.kind == "send" else "")
        console.print(table)
        for label, c in funnel.comparisons:
            console.print(f"  [bold]{label}[/]: {c.control.name} {c.control.converted}/"
                          f"{c.control.entered} ({c.control.rate:.1%}) vs {c.treatment.name} "
                          f"{c.treatment.converted}/{c.treatment.entered} "
                          f"({c.treatment.rate:.1%}); lift {_pct(c.lift)}; p {format_p(c.p_value)}")
            console.print(f"    verdict: {c.verdict}")
    if idle:
        console.print(f"[dim]no triggers in these events for: {', '.join(idle)}[/]")
