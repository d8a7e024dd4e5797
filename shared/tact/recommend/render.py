"""``tact backtest --holdout-days``: the measurement, printed for people."""

from __future__ import annotations

from typing import Any

from tact.recommend.evaluate import HoldoutReport


def print_holdout(console: Any, report: HoldoutReport) -> None:
    from rich.table import Table

    console.print(f"[bold]Held out[/] {report.cutoff} .. {report.end} "
                  f"({report.holdout_days:g} days); fitted on everything before")
    model = report.model
    console.print(f"model {model.get('version')}: {model.get('customers')} buyers, "
                  f"{model.get('catalog')} products in the catalog")
    figures = Table("figure", "model", "baseline", "better by", title="Measured")
    figures.add_row(
        f"next best hit rate@5 ({report.next_best_customers} customers who bought something "
        "new to them)", f"{report.next_best_hit_rate_at_5:.3f}",
        f"{report.popularity_hit_rate_at_5:.3f} (popularity)",
        f"{report.next_best_hit_rate_at_5 - report.popularity_hit_rate_at_5:+.3f}")
    better = (report.base_rate_brier - report.propensity_brier) / report.base_rate_brier \
        if report.base_rate_brier else 0.0
    figures.add_row(
        f"propensity Brier score, P(purchase in {report.holdout_days:g} d) "
        f"({report.buyers} buyers; lower is better)", f"{report.propensity_brier:.4f}",
        f"{report.base_rate_brier:.4f} (base rate {report.base_rate:.3f})", f"{better:.1%}")
    console.print(figures)
    table = Table("predicted", "customers", "mean predicted", "observed",
                  title="Reliability (does a predicted 30 % come true 30 % of the time?)")
    for row in report.reliability:
        table.add_row(f"{row.low:.1f}-{row.high:.1f}", str(row.customers),
                      f"{row.mean_predicted:.3f}", f"{row.observed_rate:.3f}")
    console.print(table)
