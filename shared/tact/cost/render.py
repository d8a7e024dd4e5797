"""Print ``tact cost`` results: paths, money per service, the Pinpoint figure, the prices used."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from tact.cost.estimate import JourneyCost
from tact.cost.prices import BUILT_IN_REGION, Prices


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def print_costs(console: Console, costs: list[JourneyCost], prices: Prices, region: str) -> None:
    for cost in costs:
        paths = cost.paths
        table = Table(title=f"{cost.journey}: cost per {cost.entries:,} entries (USD)")
        table.add_column("")
        for column in ("shortest", "typical", "longest", "Pinpoint"):
            table.add_column(column, justify="right")
        table.add_row("transitions/entry", f"{paths.shortest.transitions:g}",
                      f"{paths.typical.transitions:.2f}", f"{paths.longest.transitions:g}", "")
        table.add_row("send Lambdas/entry", f"{paths.shortest.lambda_invocations:g}",
                      f"{paths.typical.lambda_invocations:.2f}",
                      f"{paths.longest.lambda_invocations:g}", "")
        table.add_row("messages/entry", f"{paths.shortest.messages:g}",
                      f"{paths.typical.messages:.2f}", f"{paths.longest.messages:g}",
                      f"{paths.typical.messages:.2f}")
        keys = list(dict.fromkeys([*cost.typical.lines, *cost.pinpoint.lines]))
        for key in keys:
            table.add_row(key.replace("_", " "),
                          *[_usd(b.lines[key]) if key in b.lines else "" for b in
                            (cost.shortest, cost.typical, cost.longest, cost.pinpoint)])
        table.add_row("[bold]total[/]", *[f"[bold]{_usd(b.total)}[/]" for b in
                                          (cost.shortest, cost.typical, cost.longest,
                                           cost.pinpoint)])
        console.print(table)
        console.print(f"  DynamoDB per message: 1 Query ({cost.per_send.read_units:g} RRU) + "
                      f"1 TransactWriteItems ({cost.per_send.write_units:g} WRU)")
        console.print(f"  shortest path: {' -> '.join(paths.shortest.states)}")
        if paths.longest.states != paths.shortest.states:
            console.print(f"  longest path:  {' -> '.join(paths.longest.states)}")
    console.print(f"[bold]Unit prices used[/] ({prices.region}, as of {prices.as_of}; override "
                  "any under `prices:` in settings.yaml):")
    for name, value in prices.model_dump().items():
        if name not in ("as_of", "region"):
            console.print(f"  {name}: {value:g}")
    if region != prices.region:
        console.print(f"[yellow]no built-in price list for {region}; the figures use "
                      f"{prices.region} prices (built-in list: {BUILT_IN_REGION}). Set "
                      "`prices:` in settings.yaml for your region.[/]")
    console.print("Typical: branches weighted equally; quiet-hours deferral share "
                  f"{prices.quiet_hours_share:g}. Pinpoint: one endpoint (MTA) and one event "
                  "per entry, same messages; list prices before its end of support.")
