"""``tact cost``: what each journey costs per N entries, from its compiled state machine."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from tact.cli.console import JourneysDir, load_journeys, out


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

    project = load_journeys(journeys)
    _, definitions = build_bundle(project)
    costs = [estimate(jid, definition, project.settings, entries)
             for jid, definition in sorted(definitions.items())]
    if as_json:
        sys.stdout.write(json.dumps({"journeys": [c.to_json() for c in costs],
                                     "prices": project.settings.prices.model_dump()}, indent=2))
        return
    print_costs(out, costs, project.settings.prices, region)
