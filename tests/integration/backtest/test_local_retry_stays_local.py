"""A simulation on the in-memory store never reaches AWS, even when an event fails and is
retried: the ingest Lambda's backoff (an SQS visibility change when deployed) is the local
queue stand-in's redelivery. Before, a failed event made a real SQS call from a laptop run
(which hung on a machine with no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tact import aws
from tact.local.simulator import Simulation
from tests.support.faults import fail_first_cart_write
from tests.support.strategies import cart_customer_events

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "journeys" / "examples"


def test_a_failed_event_is_retried_locally_without_any_aws_client(
        monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    real_client = aws.client

    def client(service: str, *args: Any, **kwargs: Any) -> Any:
        made.append(service)
        return real_client(service, *args, **kwargs)

    client.cache_clear = real_client.cache_clear  # type: ignore[attr-defined]
    monkeypatch.setattr(aws, "client", client)
    failed = fail_first_cart_write(monkeypatch)
    report = Simulation(EXAMPLES, store="memory").run(cart_customer_events())
    assert failed == ["ana"]
    assert made == []
    reminders = [m for m in report.messages if m["journey"] == "abandoned_cart"]
    assert reminders, "the retried cart event entered the journey and its reminder went out"
