"""Backtest results for people: rows per journey and step, as a terminal table or HTML,
and two journey versions side by side."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from tact.backtest.runner import Backtest
from tact.backtest.totals import JourneyTotals, StepTotals, Totals


@dataclass(frozen=True)
class Row:
    journey: str
    step: str  # "" for the journey's own row
    metric: str
    value: int


def _reasons(counts: dict[str, int], prefix: str) -> list[tuple[str, int]]:
    return [(f"{prefix} {key}", n) for key, n in sorted(counts.items())]


def _journey_rows(journey_id: str, j: JourneyTotals) -> list[Row]:
    peak, _ = j.peak_per_hour
    sent = sum(s.sent_total for s in j.steps.values())
    metrics = [("entered", j.entered), ("restarted", j.restarted), ("exited", j.exited),
               *_reasons(j.skipped, "not entered:"), ("failed", j.failed),
               ("messages sent", sent), ("peak messages/hour", peak)]
    return [Row(journey_id, "", m, v) for m, v in metrics]


def _step_rows(journey_id: str, step_id: str, s: StepTotals) -> list[Row]:
    metrics = [*_reasons(s.sent, "sent"), *_reasons(s.suppressed, "not sent:"),
               ("deferred (quiet hours)", s.deferred)]
    if not s.sent:
        metrics.insert(0, ("sent", 0))
    return [Row(journey_id, step_id, m, v) for m, v in metrics]


def rows(totals: Totals) -> list[Row]:
    out: list[Row] = []
    for journey_id, j in sorted(totals.journeys.items()):
        out += _journey_rows(journey_id, j)
        for step_id, s in j.steps.items():
            out += _step_rows(journey_id, step_id, s)
    return out


def summary_line(result: Backtest) -> str:
    t = result.totals
    peak, hour = t.peak_per_hour
    at = f" ({hour.replace('T', ' ')}:00 UTC)" if hour else ""
    return (f"{t.customers} customers, {t.events} events replayed in {result.seconds:.1f} s "
            f"with {result.workers} worker(s) ({result.customers_per_second:,.0f} customers/s); "
            f"{t.messages_sent} messages sent, {t.not_sent} not sent; "
            f"peak {peak} messages/hour{at}")


def print_totals(console: Any, result: Backtest) -> None:
    from rich.table import Table

    table = Table(title=f"Backtest of {result.journeys_dir}", title_justify="left")
    for column in ("journey", "step", "", "count"):
        table.add_column(column, justify="right" if column == "count" else "left")
    before = ("", "")
    for row in rows(result.totals):  # each journey and step named once, on its first row
        journey = row.journey if row.journey != before[0] else ""
        step = row.step if (row.journey, row.step) != before else ""
        table.add_row(journey, step, row.metric, f"{row.value:,}")
        before = (row.journey, row.step)
    console.print(table)
    console.print(summary_line(result))
    _print_rejected(console, result.totals)


def _print_rejected(console: Any, totals: Totals) -> None:
    for bad in totals.rejected[:20]:
        where = f"{bad.get('file', '?')}:{bad.get('line', '?')}" if "line" in bad else "event"
        console.print(f"[yellow]{where}: event skipped:[/] {bad['reason']}", soft_wrap=True)
    if len(totals.rejected) > 20:
        console.print(f"[yellow]... and {len(totals.rejected) - 20} more skipped events[/]")


def compare_rows(old: Totals, new: Totals) -> list[tuple[str, str, str, int, int]]:
    """(journey, step, metric, old, new) for every row either version has."""
    before = {(r.journey, r.step, r.metric): r.value for r in rows(old)}
    after = {(r.journey, r.step, r.metric): r.value for r in rows(new)}
    keys = list(after)
    keys += [k for k in before if k not in after]
    return [(j, s, m, before.get((j, s, m), 0), after.get((j, s, m), 0)) for j, s, m in keys]


def print_compare(console: Any, old: Backtest, new: Backtest) -> None:
    from rich.table import Table

    table = Table(title=f"{old.journeys_dir} (old) vs {new.journeys_dir} (new)",
                  title_justify="left")
    for column in ("journey", "step", "", "old", "new", "change"):
        table.add_column(column, justify="right" if column in ("old", "new", "change")
                         else "left")
    for journey, step, metric, a, b in compare_rows(old.totals, new.totals):
        change = b - a
        style = "" if change == 0 else ("green" if change < 0 else "yellow")
        shown = f"[{style}]{change:+,}[/]" if style else "0"
        table.add_row(journey, step, metric, f"{a:,}", f"{b:,}", shown)
    console.print(table)
    console.print(f"old: {summary_line(old)}")
    console.print(f"new: {summary_line(new)}")
    _print_rejected(console, new.totals)


def to_json(result: Backtest, old: Backtest | None = None,
            lists: bool = False) -> dict[str, Any]:
    body = {**result.totals.to_json(lists=lists), "seconds": round(result.seconds, 3),
            "workers": result.workers,
            "customers_per_second": round(result.customers_per_second, 1)}
    if old is not None:
        body = {"old": {**old.totals.to_json(lists=lists), "journeys_dir": old.journeys_dir},
                "new": {**body, "journeys_dir": result.journeys_dir},
                "changes": [{"journey": j, "step": s, "metric": m, "old": a, "new": b,
                             "change": b - a}
                            for j, s, m, a, b in compare_rows(old.totals, result.totals)]}
    return body


_CSS = """body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}.up{color:#b36b00}.down{color:#2a7d2a}
.bar{background:#4f7cff;display:inline-block;height:10px}"""


def to_html(result: Backtest, old: Backtest | None = None) -> str:
    """One self-contained page: no scripts, no external assets."""
    parts = [f"<!doctype html><meta charset='utf-8'><title>Tact backtest</title>"
             f"<style>{_CSS}</style><h1>Backtest</h1>"]
    if old is None:
        parts.append(f"<p>{escape(summary_line(result))}</p><table><tr><th>journey<th>step"
                     "<th><th>count</tr>")
        for row in rows(result.totals):
            parts.append(f"<tr><td>{escape(row.journey)}<td>{escape(row.step)}"
                         f"<td>{escape(row.metric)}<td class=n>{row.value:,}</tr>")
    else:
        parts.append(f"<p>old: {escape(summary_line(old))}<br>new: "
                     f"{escape(summary_line(result))}</p><table><tr><th>journey<th>step<th>"
                     "<th>old<th>new<th>change</tr>")
        for journey, step, metric, a, b in compare_rows(old.totals, result.totals):
            css = "" if a == b else (" up" if b > a else " down")
            parts.append(f"<tr><td>{escape(journey)}<td>{escape(step)}<td>{escape(metric)}"
                         f"<td class=n>{a:,}<td class=n>{b:,}<td class='n{css}'>{b - a:+,}</tr>")
    parts.append("</table>")
    parts.append(_hourly_html(result.totals))
    return "\n".join(parts) + "\n"


def _hourly_html(totals: Totals) -> str:
    if not totals.hourly:
        return ""
    peak = max(totals.hourly.values())
    lines = ["<h2>Messages per hour (UTC)</h2><table>"]
    for hour in sorted(totals.hourly):
        n = totals.hourly[hour]
        lines.append(f"<tr><td>{escape(hour.replace('T', ' '))}:00<td class=n>{n}"
                     f"<td><span class=bar style='width:{int(300 * n / peak)}px'></span></tr>")
    return "\n".join(lines) + "</table>"
