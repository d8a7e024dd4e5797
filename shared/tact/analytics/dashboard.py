"""One dashboard row per journey, from the business metrics the decisions function emits.

The journeys' stack (tact.infra_gen) is generated, so is this: it returns the row's widgets as
JSON text with ``${AWS::Region}`` left for ``Fn::Sub``; the stack hands the rows to
template.yaml's dashboard through an output.
"""

from __future__ import annotations

import json
from typing import Any

from tact.observability import NAMESPACE, SERVICE

FIRST_ROW_Y = 18  # below template.yaml's own widgets
ROW_HEIGHT = 6


def _search(metric: str, dimensions: list[str], journey: str, label: str) -> dict[str, Any]:
    keys = ",".join([NAMESPACE, *sorted(["service", "journey", *dimensions])])
    query = (f"SEARCH('{{{keys}}} MetricName=\"{metric}\" journey=\"{journey}\" "
             f"service=\"{SERVICE}\"', 'Sum', 300)")
    return {"expression": query, "id": label, "label": ""}


def _widget(x: int, y: int, title: str, metrics: list[list[dict[str, Any]]]) -> dict[str, Any]:
    return {"type": "metric", "x": x, "y": y, "width": 8, "height": ROW_HEIGHT,
            "properties": {"title": title, "region": "${AWS::Region}", "stat": "Sum",
                           "period": 300, "metrics": metrics}}


def journey_row(journey: str, row: int) -> list[dict[str, Any]]:
    y = FIRST_ROW_Y + row * ROW_HEIGHT
    return [
        _widget(0, y, f"{journey}: sent by step and channel",
                [[_search("MessagesSent", ["step", "channel"], journey, "sent")]]),
        _widget(8, y, f"{journey}: not sent by step and reason",
                [[_search("MessagesNotSent", ["step", "reason"], journey, "notsent")]]),
        _widget(16, y, f"{journey}: entered, converted, revenue",
                [[_search("Entered", [], journey, "entered")],
                 [_search("Conversions", [], journey, "conversions")],
                 [_search("Revenue", ["currency"], journey, "revenue")]]),
    ]


def journey_rows(journeys: list[str]) -> str:
    """The widgets of every journey's row, as the text between a dashboard's ``[`` ``]``."""
    widgets = [w for n, journey in enumerate(sorted(journeys)) for w in journey_row(journey, n)]
    return ",".join(json.dumps(w, separators=(",", ":")) for w in widgets)
