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

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "journeys" / "examples"
DAY = "2026-11-02"
EVENTS = [
    {"id": "p", "type": "customer_updated", "customer_id": "ana", "time": f"{DAY}T07:00:00Z",
     "data": {"email": "ana@example.com", "timezone": "Europe/Berlin"}},
    {"id": "c", "type": "consent_changed", "customer_id": "ana", "time": f"{DAY}T07:01:00Z",
     "data": {"channel": "email", "purpose": "marketing", "granted": True}},
    {"id": "cart", "type": "cart_updated", "customer_id": "ana", "time": f"{DAY}T09:00:00Z",
     "data": {"cart_id": "k1", "value": 60, "currency": "EUR",
              "items": [{"sku": "S1", "name": "Mug", "price": 60, "quantity": 1}]}},
]


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
