"""``tact cost``: what each journey costs per N entries, from its compiled state machine."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from tact.cli.console import JourneysDir, load_journeys, out


def cost(
    journeys: JourneysDir = Path("journeys"),
    entries: Annotated[int, typer.Option(
        help="journey entries (and broadcast recipients) to price")] = 1_000_000,
    region: Annotated[str, typer.Option(help="AWS region the prices are for")] = "us-east-1",
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Cost per N entries of each journey, from its compiled state machine, with the prices used."""
    from tact.cost.estimate import estimate
    from tact.cost.render import print_costs
    from tact.journey.bundle_builder import build as build_bundle

    project = load_journeys(journeys)
    _, definitions = build_bundle(project)
    costs = [estimate(jid, definition, project.settings, entries)
             for jid, definition in sorted(definitions.items())]
    broadcasts = _broadcast_costs(project, entries)
    if as_json:
        sys.stdout.write(json.dumps({"journeys": [c.to_json() for c in costs],
                                     "broadcasts": broadcasts,
                                     "prices": project.settings.prices.model_dump()}, indent=2))
        return
    print_costs(out, costs, project.settings.prices, region)
    for item in broadcasts:
        lines = ", ".join(f"{k.replace('_', ' ')} ${v:,.2f}" for k, v in item["lines"].items())
        out.print(f"broadcast {item['broadcast']}: ${item['total']:,.2f} for {entries:,} "
                  f"recipients ({lines}); on Pinpoint ${item['pinpoint']:,.2f}. "
                  f"`tact broadcast plan {item['broadcast']}` prices its real audience.")


def _broadcast_costs(project: Any, recipients: int) -> list[dict[str, Any]]:
    from tact.cost.broadcast import per_recipients, pinpoint_cost

    settings = project.settings
    found = []
    for broadcast_id, broadcast in sorted(project.broadcasts.items()):
        channel = (broadcast.send.channel if broadcast.send.channel != "preferred"
                   else settings.fallback_order[0])
        cost = per_recipients(settings, channel, broadcast.purpose, recipients)
        found.append({"broadcast": broadcast_id, "recipients": recipients,
                      "total": round(cost.total, 2),
                      "lines": {k: round(v, 2) for k, v in cost.lines.items()},
                      "pinpoint": round(pinpoint_cost(settings, audience=recipients,
                                                      sends={channel: recipients}).total, 2)})
    return found
