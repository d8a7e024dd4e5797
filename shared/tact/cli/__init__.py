"""The ``tact`` command: validate, build and simulate journeys.

One module per command group; this one only assembles them (in the order ``tact --help`` shows).
"""

from __future__ import annotations

import typer

from tact.cli.authoring import graph, new, preview
from tact.cli.backtest import backtest, generate_events
from tact.cli.broadcast import broadcast_app
from tact.cli.cost import cost
from tact.cli.pinpoint import import_pinpoint
from tact.cli.project import build, schema, validate
from tact.cli.report import report
from tact.cli.simulate import history, simulate

app = typer.Typer(help="Consent-first customer journeys on AWS, as code.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)

for command in (validate, build, simulate, history, cost, report, schema, graph, new, preview,
                backtest, generate_events):
    app.command()(command)
app.command("import-pinpoint")(import_pinpoint)
app.add_typer(broadcast_app, name="broadcast")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
