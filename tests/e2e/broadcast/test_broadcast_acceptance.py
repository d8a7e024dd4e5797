"""Issue 17, acceptance 1 and 2: a broadcast at 10:00 local, simulated end to end on moto
through the compiled broadcast state machine (Distributed Map), the real Lambda handlers and
the send path; and a retried batch that sends nothing twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tact.local import simulator
from tact.local.simulator import Simulation
from tact.store.base import StoreTransientError
from tests.support.awshooks import Fault, aws_calls
from tests.support.broadcast_world import SETTINGS, write_project
from tests.support.paths import ROOT

WELCOME = """\
id: welcome
name: Welcome
trigger: {event: signup}
purpose: marketing
steps:
  - send: {id: hello, channel: email, template: autumn_range}
"""
FUNCTIONS = ROOT / "functions"
ZONES = {"hel": "Europe/Helsinki", "nyc": "America/New_York", "tyo": "Asia/Tokyo"}


def _event(n: int, kind: str, customer: str, at: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"{customer}-{n}", "type": kind, "customer_id": customer, "time": at,
            "data": data}


def person(customer: str, zone: str, *, consents: bool = True,
           category: str = "apparel") -> list[dict[str, Any]]:
    events = [
        _event(1, "customer_updated", customer, "2026-11-01T08:00:00Z",
               {"email": f"{customer}@example.com", "timezone": zone}),
        _event(2, "purchase_completed", customer, "2026-11-02T12:00:00Z",
               {"order_id": f"o-{customer}", "value": 40, "currency": "EUR",
                "items": [{"sku": "s", "category": category, "price": 40}]}),
    ]
    if consents:
        events.append(_event(3, "consent_changed", customer, "2026-11-01T08:01:00Z",
                             {"channel": "email", "purpose": "marketing", "granted": True}))
    return events


def history() -> list[dict[str, Any]]:
    events = [e for c, zone in ZONES.items() for e in person(c, zone)]
    events += person("books", "Europe/Helsinki", category="books")  # not in the segment
    events += person("silent", "Europe/Helsinki", consents=False)
    events += person("busy", "Europe/Helsinki")
    # busy signs up at 09:00 in Helsinki on the day: the welcome journey sends at once, and
    # the cap (1 marketing message per 24 h) is reached before the broadcast's 10:00.
    events.append(_event(4, "signup", "busy", "2026-11-05T07:00:00Z", {}))
    return sorted(events, key=lambda e: (e["time"], e["id"]))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "journeys", extra={"welcome.yaml": WELCOME})


@pytest.fixture
def uncapped(tmp_path: Path) -> Path:
    """No cap to hide a second send: only the message key can stop it."""
    settings = SETTINGS.replace("{max: 1, per: 24h}", "{max: 50, per: 24h}")
    return write_project(tmp_path / "journeys", settings=settings,
                         extra={"welcome.yaml": WELCOME})


def test_each_matching_consenting_customer_gets_one_message_at_ten_their_time(
        project: Path) -> None:
    report = Simulation(project, store="moto", functions_dir=FUNCTIONS).run(history())
    broadcast = [m for m in report.messages if m["journey"] == "autumn_range"]
    assert sorted(m["customer_id"] for m in broadcast) == ["hel", "nyc", "tyo"]
    for message in broadcast:
        sent = datetime.fromisoformat(message["sent_at"].replace("Z", "+00:00"))
        local = sent.astimezone(ZoneInfo(ZONES[message["customer_id"]]))
        assert (local.hour, local.minute, local.date().isoformat()) == (10, 0, "2026-11-05")
    not_sent = {s["customer_id"]: s["reason"] for s in report.suppressed
                if s["journey"] == "autumn_range"}
    assert not_sent == {"silent": "no_consent", "busy": "frequency_cap"}
    assert not any(m["customer_id"] == "books" for m in report.messages)
    welcome = [m for m in report.messages if m["journey"] == "welcome"]
    assert [m["customer_id"] for m in welcome] == ["busy"]


def _failing_after_the_work(fail: Callable[[dict[str, Any]], bool]) -> Callable[..., Any]:
    real = simulator.load_handler

    def load(functions_dir: Path, name: str) -> Callable[..., Any]:
        handler = real(functions_dir, name)
        if name != "broadcast_send":
            return handler

        def dies_after_sending(payload: dict[str, Any], context: Any) -> Any:
            result = handler(payload, context)
            if fail(payload):
                # The batch's work is done (messages sent), then the Lambda fails: Step
                # Functions' Retry runs the whole batch again.
                raise StoreTransientError("the invocation died after sending")
            return result
        return dies_after_sending
    return load


@pytest.mark.parametrize("failing", ["hel", "nyc", "tyo"])
def test_retrying_any_batch_sends_nothing_twice(uncapped: Path, failing: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: Counter[str] = Counter()

    def fail(payload: dict[str, Any]) -> bool:
        key = ",".join(payload["customers"])
        attempts[key] += 1
        return failing in payload["customers"] and attempts[key] <= 2  # twice, then fine

    monkeypatch.setattr(simulator, "load_handler", _failing_after_the_work(fail))
    with aws_calls() as calls:
        report = Simulation(uncapped, store="moto", functions_dir=FUNCTIONS).run(history())
    retried = [key for key, n in attempts.items() if failing in key.split(",")]
    assert retried and attempts[retried[0]] == 3  # the batch ran three times
    emails = Counter(params["Destination"]["ToAddresses"][0]
                     for service, operation, params in calls.made
                     if (service, operation) == ("sesv2", "SendEmail"))
    assert emails == Counter({"hel@example.com": 1, "nyc@example.com": 1,
                              "tyo@example.com": 1, "busy@example.com": 2})  # + welcome
    assert sorted(m["customer_id"] for m in report.messages
                  if m["journey"] == "autumn_range") == ["busy", "hel", "nyc", "tyo"]


def test_a_provider_throttled_mid_batch_is_retried_and_the_others_not_resent(
        project: Path) -> None:
    fault = Fault("sesv2", "SendEmail", "TooManyRequestsException", status=429, times=2,
                  when=lambda params: params["Destination"]["ToAddresses"] == [
                      "hel@example.com"])
    with aws_calls(fault) as calls:
        report = Simulation(project, store="moto", functions_dir=FUNCTIONS).run(history())
    assert fault.injected == 2
    delivered = Counter(params["Destination"]["ToAddresses"][0]
                        for service, operation, params in calls.made
                        if (service, operation) == ("sesv2", "SendEmail"))
    assert delivered["hel@example.com"] == 3  # two refused, one accepted
    assert sorted(m["customer_id"] for m in report.messages
                  if m["journey"] == "autumn_range") == ["hel", "nyc", "tyo"]
