"""Print a report in the terminal: the same numbers as its JSON and HTML."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tact.analytics.report import Report
from tact.report.stats import format_p


def _reasons(counts: dict[str, int]) -> str:
    return ", ".join(f"{reason} {n}" for reason, n in sorted(counts.items())) or "-"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1%}"


def print_report(console: Console, report: Report) -> None:
    if not report.journeys:
        console.print("no decision records: nothing entered any journey")
        return
    for j in report.journeys:
        console.print(f"[bold]{escape(j.journey)}[/]: {escape(j.summary())}", soft_wrap=True)
        if j.not_entered:
            console.print(f"  triggers that did not enter: {escape(_reasons(j.not_entered))}",
                          soft_wrap=True)
        if j.steps:
            table = Table(show_lines=False)
            for column in ("send step", "sent", "not sent", "why not", "deferred", "unknown"):
                table.add_column(column)
            for s in j.steps:
                table.add_row(s.step, str(s.sent), str(sum(s.not_sent.values())),
                              _reasons(s.not_sent), str(s.deferred), str(s.unknown))
            console.print(table)
        if not j.goals:
            console.print(f"  [yellow]{escape(j.note or 'no goal')}[/]", soft_wrap=True)
        for c in j.comparisons:
            ci = "" if c.ci95 is None else f" (95% CI {c.ci95[0]:+.1%} to {c.ci95[1]:+.1%})"
            console.print(f"  [bold]{escape(c.comparison)}[/]: {c.control.name} "
                          f"{c.control.converted}/{c.control.entered} ({c.control.rate:.1%}) vs "
                          f"{c.treatment.name} {c.treatment.converted}/{c.treatment.entered} "
                          f"({c.treatment.rate:.1%}); difference {c.difference:+.1%}{ci}; "
                          f"lift {_pct(c.lift)}; p {format_p(c.p_value)}", soft_wrap=True)
            console.print(f"    verdict: {escape(c.verdict)}", soft_wrap=True)
