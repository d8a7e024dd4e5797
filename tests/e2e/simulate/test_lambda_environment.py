"""The functions of a local run see the environment Lambda gives an on-demand function:
``AWS_LAMBDA_INITIALIZATION_TYPE`` is ``on-demand`` at every invocation (Powertools' logger
reads it for the cold-start flag; "provisioned-concurrency" would mark no invocation cold),
and the variable leaves with the run."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.logging import logger as powertools_logger

from tact.local.simulator import Simulation
from tests.support.strategies import cart_customer_events

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "journeys" / "examples"
EVENTS = cart_customer_events()


def test_every_invocation_sees_an_on_demand_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_LAMBDA_INITIALIZATION_TYPE", raising=False)
    seen: list[Any] = []
    real = powertools_logger._is_cold_start

    def is_cold_start() -> bool:
        seen.append(os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE"))
        return real()

    monkeypatch.setattr(powertools_logger, "_is_cold_start", is_cold_start)
    report = Simulation(EXAMPLES, store="memory").run(EVENTS)
    assert report.messages, "the cart's reminder went out: the functions ran"
    assert len(seen) > len(EVENTS)  # ingest once per event, then the journey's functions
    assert set(seen) == {"on-demand"}
    assert "AWS_LAMBDA_INITIALIZATION_TYPE" not in os.environ
