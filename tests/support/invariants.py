"""What Tact promises, as checks over one simulated world (used by property and fault tests).

The oracle is computed from the events the test generated, never from Tact's own records of
them: consent at send time comes from the consent events in delivery order, purchases from the
purchase events, caps from ``journeys/settings.yaml``. Tact's records (the customer partitions
and the executor's executions) are only what is checked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

from tact import runtime
from tact.clock import parse_iso
from tact.local.executor import LocalStepFunctions
from tact.local.report import SimulationReport
from tact.local.simulator import Simulation
from tests.support.paths import JOURNEYS

SUPPRESSION_REASONS = {"no_consent", "frequency_cap", "no_address", "exited", "suppressed",
                       "no_template", "render_error", "rejected"}


class ObservedSimulation(Simulation):
    """A simulation that keeps every customer's final partition and every execution."""

    items: dict[str, list[dict[str, Any]]]
    runs: dict[str, Any]

    def _collect(self, customers: list[str], now: datetime, executor: LocalStepFunctions,
                 sends: list[Any]) -> None:
        super()._collect(customers, now, executor, sends)
        store = runtime.store()
        self.items = {c: store.read_customer(c, now) for c in customers}
        self.runs = {e.name: e for e in executor.executions()}
        self.ses_messages: list[Any] = []
        if self.store_kind == "moto":  # what moto's SES accepted (sesv2 lands in the v1 backend)
            from moto.ses.models import ses_backends

            self.ses_messages = list(ses_backends["123456789012"]["us-east-1"].sent_messages)


@dataclass
class Deliveries:
    """What reached a channel provider: attempts, and accepted (or possibly accepted) sends."""

    attempts: list[Any] = field(default_factory=list)
    accepted: list[Any] = field(default_factory=list)

    def per_step(self) -> Counter[tuple[str, str, str]]:
        return Counter((m.customer_id, m.journey, m.step) for m in self.accepted)


@contextmanager
def delivery_spy() -> Iterator[Deliveries]:
    """Wrap every channel sender the runtime hands out (SES on moto, or the local outbox)."""
    from tact.sending.channels import ProviderRejected, ProviderTransientError

    seen = Deliveries()
    original = runtime.channel_sender

    class Spy:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def send(self, message: Any) -> str:
            seen.attempts.append(message)
            try:
                result = self.inner.send(message)
            except (ProviderTransientError, ProviderRejected):
                raise  # refused before delivery
            except BaseException:
                seen.accepted.append(message)  # unknown outcome or a timeout: it may have landed
                raise
            seen.accepted.append(message)
            return str(result)

    def spied(channel: str) -> Spy:
        return Spy(original(channel))

    spied.cache_clear = original.cache_clear  # type: ignore[attr-defined]
    with patch.object(runtime, "channel_sender", spied):
        yield seen


@dataclass
class World:
    report: SimulationReport
    items: dict[str, list[dict[str, Any]]]
    runs: dict[str, Any]
    deliveries: Deliveries
    ses_messages: list[Any] = field(default_factory=list)

    @property
    def ses_delivered(self) -> int:
        return len(self.ses_messages)


def simulate(events: list[dict[str, Any]], store: str = "memory") -> World:
    ordered = sorted(events, key=lambda e: e["time"])  # stable: same-time order is kept
    sim = ObservedSimulation(JOURNEYS, store=store)  # type: ignore[arg-type]
    with delivery_spy() as seen:
        report = sim.run(ordered)
    return World(report, sim.items, sim.runs, seen, sim.ses_messages)


def records(world: World, kind: str) -> list[tuple[str, dict[str, Any]]]:
    prefix = {"message": "MSG#", "log": "LOG#", "consent": "CONSENT#", "cap": "CAP#"}[kind]
    return [(c, i) for c, items in world.items.items() for i in items
            if str(i["sk"]).startswith(prefix)]


def _latest(events: list[dict[str, Any]], at: datetime) -> dict[str, Any] | None:
    """The last of these events processed at or before ``at`` (delivery order = time, stable)."""
    due = [e for e in events if parse_iso(e["time"]) <= at]
    return due[-1] if due else None


def check_invariants(events: list[dict[str, Any]], world: World,
                     allow_failed: bool = False) -> dict[str, int]:
    """Assert every promise; return counts (for tests that state them)."""
    settings = Simulation(JOURNEYS, store="memory").bundle.settings
    unique: dict[str, dict[str, Any]] = {}
    for e in sorted(events, key=lambda e: e["time"]):
        unique.setdefault(e["id"], e)
    by_customer: dict[str, list[dict[str, Any]]] = {}
    for e in unique.values():
        by_customer.setdefault(e["customer_id"], []).append(e)

    messages = records(world, "message")
    logs = records(world, "log")
    started = {i["execution"]: (c, i) for c, i in logs if i["kind"] == "started"}
    stopped = {i["execution"] for _, i in logs if i["kind"] == "stopped"}
    sent = [(c, m) for c, m in messages if m["status"] == "sent"]

    # 1. no message without consent valid at send time (per channel and purpose)
    for customer, m in sent:
        at = parse_iso(m["at"])
        consent = _latest([e for e in by_customer[customer] if e["type"] == "consent_changed"
                           and e["data"]["channel"] == m["channel"]
                           and e["data"]["purpose"] == m["purpose"]], at)
        if m["purpose"] == "marketing":
            assert consent is not None and consent["data"]["granted"], (
                f"{customer} got {m['step']} at {m['at']} without {m['channel']} consent")

    # 2. no cap exceeded in any rolling window
    for customer in by_customer:
        for purpose, scopes in settings.caps.items():
            for scope, caps in scopes.items():
                times = sorted(int(parse_iso(m["at"]).timestamp()) for c, m in sent
                               if c == customer and m["purpose"] == purpose
                               and scope in ("any", m["channel"]))
                for cap in caps:
                    for t in times:
                        window = sum(1 for u in times if t - cap.per < u <= t)
                        assert window <= cap.max, (
                            f"{customer}: {window} {purpose} sends in {cap.per}s at {t}; "
                            f"cap {cap.max}")

    # 3. no (execution, step) sent twice: one provider acceptance per sent record
    recorded = Counter((c, m["journey"], m["step"]) for c, m in messages
                       if m["status"] in ("sent", "unknown"))
    assert world.deliveries.per_step() == recorded
    assert len({(m["execution"], m["step"]) for _, m in messages}) == len(messages)

    # 4. nothing after the purchase of that cart, or after an unsubscribe
    for customer, m in sent:
        at = parse_iso(m["at"])
        _, entry = started[m["execution"]]
        trigger = unique[entry["event_id"]]
        cart = trigger["data"].get("cart_id")
        for e in by_customer[customer]:
            if (e["type"] == "purchase_completed" and e["data"].get("cart_id") == cart
                    and trigger["time"] <= e["time"] and parse_iso(e["time"]) <= at):
                raise AssertionError(f"{customer} got {m['step']} at {m['at']} after buying "
                                     f"cart {cart} at {e['time']}")

    # quiet hours: marketing only outside them, in the customer's zone at send time
    quiet = settings.quiet_hours
    for customer, m in sent:
        if quiet is None or m["purpose"] != "marketing":
            continue
        at = parse_iso(m["at"])
        zones = [e for e in by_customer[customer]
                 if e["type"] in ("customer_updated", "signup") and e["data"].get("timezone")]
        zone = _latest(zones, at)
        local = at.astimezone(ZoneInfo(zone["data"]["timezone"] if zone
                                       else settings.default_timezone)).time()
        inside = (quiet.start <= local or local < quiet.end) if quiet.start > quiet.end \
            else quiet.start <= local < quiet.end
        assert not inside, f"{customer} got {m['step']} at {local} local time (quiet hours)"

    # 5. every suppression has a reason
    for customer, m in messages:
        if m["status"] == "suppressed":
            assert m.get("reason") in SUPPRESSION_REASONS, f"{customer}: {m}"
    assert all(s.get("reason") for s in world.report.suppressed)

    # 6. every entered customer ends in a terminal state
    failed = 0
    for name, (customer, _) in started.items():
        run = world.runs[name]
        assert run.status != "RUNNING", f"{customer}: {name} still running"
        if run.status == "ABORTED":
            assert name in stopped, f"{customer}: {name} aborted without a recorded exit"
        elif run.status == "FAILED":
            failed += 1
            assert allow_failed, f"{customer}: {name} failed: {run.error} {run.cause}"
        elif run.input.get("journey") == "abandoned_cart":  # no branches: both sends decided
            steps = {m["step"] for _, m in messages if m["execution"] == name}
            assert steps == {"reminder_1", "reminder_2"}, f"{customer}: {name} ended with {steps}"
    assert all(run.status != "RUNNING" for run in world.runs.values())

    return {"events": len(unique), "entries": len(started), "sent": len(sent),
            "suppressed": sum(1 for _, m in messages if m["status"] == "suppressed"),
            "unknown": sum(1 for _, m in messages if m["status"] == "unknown"),
            "stopped": len(stopped), "failed": failed,
            "provider_attempts": len(world.deliveries.attempts)}


def event(event_id: str, kind: str, customer: str, at: datetime,
          data: dict[str, Any]) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "customer_id": customer,
            "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "data": data}


def cart(event_id: str, customer: str, at: datetime, cart_id: str,
         value: float = 40) -> dict[str, Any]:
    return event(event_id, "cart_updated", customer, at, {
        "cart_id": cart_id, "value": value, "currency": "EUR",
        "items": [{"sku": "S1", "name": "Mug", "category": "home", "price": value,
                   "quantity": 1}]})


def opted_in(customer: str, at: datetime, timezone: str = "Europe/Berlin",
             ) -> list[dict[str, Any]]:
    return [
        event(f"{customer}-profile", "customer_updated", customer, at,
              {"email": f"{customer}@example.com", "timezone": timezone}),
        event(f"{customer}-consent", "consent_changed", customer, at + timedelta(minutes=1),
              {"channel": "email", "purpose": "marketing", "granted": True}),
    ]
