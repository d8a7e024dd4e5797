"""The replay is made faster and leaner, never different: a fixed history through a frozen copy
of the example journeys must decide exactly what it decided before any speed work.

``data/expected.json`` was written by the backtest of main at f424b5a (before issue 20's
changes), not by the code under test. If a deliberate change of behaviour alters a decision,
regenerate it from the commit that makes that change and say why in its message.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tact.backtest.render import to_json
from tact.backtest.runner import run_backtest

DATA = Path(__file__).resolve().parent / "data"
VOLATILE = ("seconds", "workers", "customers_per_second")


def _canonical(body: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """``body`` in the shape of ``expected``: fields added to the rows since (a message's
    ``locale``, say) are not decisions and are left out; every field expected must match."""
    body = {k: v for k, v in body.items() if k not in VOLATILE}
    for key in ("messages", "suppressed"):
        fields = set().union(*(row.keys() for row in expected[key]))
        rows = [{f: row[f] for f in fields if f in row} for row in body[key]]
        body[key] = sorted(rows, key=lambda row: json.dumps(row, sort_keys=True))
    return body


@pytest.mark.parametrize("workers", [1, 2])
def test_backtest_decides_what_it_decided_before(workers: int) -> None:
    expected = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
    result = run_backtest(DATA / "history.jsonl", DATA / "project", workers=workers)
    actual = _canonical(to_json(result, lists=True), expected)
    assert actual["messages_sent"] == expected["messages_sent"]
    assert actual["not_sent"] == expected["not_sent"]
    assert actual["journeys"] == expected["journeys"]
    assert actual["messages"] == expected["messages"]
    assert actual["suppressed"] == expected["suppressed"]
    assert actual == expected
