"""Finding 1 of issue 14: a failed journey expression is logged (journey, where, error code;
never the customer's data) and counted as the ExpressionErrors metric (CloudWatch EMF)."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import pytest

from tact.conditions import METRIC, condition
from tact.observability import logger


def test_a_failed_condition_is_logged_and_counted_without_the_customer_s_data(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    monkeypatch.delenv("POWERTOOLS_DEV", raising=False)
    log = logger()  # cached, maybe by a test that ran with another level: set it for this one
    level = log.log_level
    log.setLevel("INFO")
    handler = log.registered_handler  # cached with the real stdout: swap its stream only
    stream, printed = io.StringIO(), io.StringIO()  # no capsys: the cached handler must
    previous = handler.setStream(stream)              # never keep a per-test stream
    try:
        with redirect_stdout(printed):  # the EMF record is printed
            met, failure = condition("$number(order.order_id) > 1000",
                                     {"order": {"order_id": "ana@example.com"}},
                                     journey="big_orders", where="trigger.when",
                                     on_error=False, outcome="not entered")
    finally:
        handler.setStream(previous)
        log.setLevel(level)
    assert met is False and failure is not None
    assert failure.journey == "big_orders" and failure.where == "trigger.when"
    out = printed.getvalue() + stream.getvalue()
    records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    [metric] = [r for r in records if "_aws" in r]
    assert metric["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"] == METRIC
    assert metric["journey"] == "big_orders"
    assert metric[METRIC] in (1.0, [1.0])
    [log] = [r for r in records if r.get("message") == "journey expression failed"]
    assert log["journey"] == "big_orders" and log["where"] == "trigger.when"
    assert "ana@example.com" not in out and "[email]" not in out
