"""What a backtest counts, per journey and per step, and how shard counts add up."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tact.local.report import SimulationReport


def _add(into: dict[str, int], key: str, n: int = 1) -> None:
    into[key] = into.get(key, 0) + n


@dataclass
class StepTotals:
    sent: dict[str, int] = field(default_factory=dict)  # by channel
    suppressed: dict[str, int] = field(default_factory=dict)  # by reason
    deferred: int = 0  # quiet hours postponed the send (it ran again later)

    @property
    def sent_total(self) -> int:
        return sum(self.sent.values())

    @property
    def suppressed_total(self) -> int:
        return sum(self.suppressed.values())

    def merge(self, other: StepTotals) -> None:
        for channel, n in other.sent.items():
            _add(self.sent, channel, n)
        for reason, n in other.suppressed.items():
            _add(self.suppressed, reason, n)
        self.deferred += other.deferred


@dataclass
class JourneyTotals:
    entered: int = 0
    restarted: int = 0  # an entry stopped because the trigger came again (reentry: restart)
    exited: int = 0  # stopped by an exit event, or not entered because one had come already
    skipped: dict[str, int] = field(default_factory=dict)  # trigger seen, no entry: why
    failed: int = 0
    steps: dict[str, StepTotals] = field(default_factory=dict)
    hourly: dict[str, int] = field(default_factory=dict)  # messages sent per UTC hour

    def step(self, step_id: str) -> StepTotals:
        return self.steps.setdefault(step_id, StepTotals())

    @property
    def peak_per_hour(self) -> tuple[int, str | None]:
        return _peak(self.hourly)

    def merge(self, other: JourneyTotals) -> None:
        self.entered += other.entered
        self.restarted += other.restarted
        self.exited += other.exited
        self.failed += other.failed
        for reason, n in other.skipped.items():
            _add(self.skipped, reason, n)
        for step_id, totals in other.steps.items():
            self.step(step_id).merge(totals)
        for hour, n in other.hourly.items():
            _add(self.hourly, hour, n)


def _peak(hourly: dict[str, int]) -> tuple[int, str | None]:
    if not hourly:
        return 0, None
    hour = max(sorted(hourly), key=lambda h: hourly[h])  # earliest hour among equal peaks
    return hourly[hour], hour


@dataclass
class Totals:
    customers: int = 0
    events: int = 0
    journeys: dict[str, JourneyTotals] = field(default_factory=dict)
    hourly: dict[str, int] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)  # empty unless kept
    suppressed: list[dict[str, Any]] = field(default_factory=list)  # likewise
    rejected: list[dict[str, Any]] = field(default_factory=list)
    messages_sent: int = 0
    not_sent: int = 0

    def journey(self, journey_id: str) -> JourneyTotals:
        return self.journeys.setdefault(journey_id, JourneyTotals())

    @property
    def peak_per_hour(self) -> tuple[int, str | None]:
        return _peak(self.hourly)

    def merge(self, other: Totals) -> None:
        self.customers += other.customers
        self.events += other.events
        self.messages_sent += other.messages_sent
        self.not_sent += other.not_sent
        for journey_id, totals in other.journeys.items():
            self.journey(journey_id).merge(totals)
        for hour, n in other.hourly.items():
            _add(self.hourly, hour, n)
        self.messages += other.messages
        self.suppressed += other.suppressed
        self.rejected += other.rejected

    def sort(self) -> None:
        """One order for lists merged from shards, the same as a single simulation's."""
        self.messages.sort(key=lambda m: (m["sent_at"], m["customer_id"], m["journey"],
                                          m["step"]))
        self.suppressed.sort(key=lambda s: (s["at"], s["customer_id"], s["journey"], s["step"]))

    def to_json(self, *, lists: bool = False) -> dict[str, Any]:
        journeys = {}
        for journey_id, j in sorted(self.journeys.items()):
            peak, hour = j.peak_per_hour
            journeys[journey_id] = {
                "entered": j.entered, "restarted": j.restarted, "exited": j.exited,
                "skipped": dict(sorted(j.skipped.items())), "failed": j.failed,
                "peak_messages_per_hour": peak, "peak_hour": hour,
                "steps": {s: {**asdict(t), "sent_total": t.sent_total,
                              "suppressed_total": t.suppressed_total}
                          for s, t in j.steps.items()},
            }
        peak, hour = self.peak_per_hour
        body: dict[str, Any] = {
            "customers": self.customers, "events": self.events,
            "messages_sent": self.messages_sent, "not_sent": self.not_sent,
            "peak_messages_per_hour": peak, "peak_hour": hour,
            "journeys": journeys, "rejected_events": self.rejected,
        }
        if lists:
            body["messages"] = self.messages
            body["suppressed"] = self.suppressed
        return body


def from_report(report: SimulationReport, step_order: dict[str, list[str]], *,
                lists: bool = True) -> Totals:
    """Count one simulation's outcomes (``step_order``: each journey's send steps in order);
    ``lists``: keep every message and suppression, not only their counts."""
    totals = Totals(messages=list(report.messages) if lists else [],
                    suppressed=list(report.suppressed) if lists else [],
                    rejected=list(report.rejected_events),
                    messages_sent=len(report.messages), not_sent=len(report.suppressed))
    for journey_id, steps in step_order.items():
        journey = totals.journey(journey_id)
        for step_id in steps:
            journey.step(step_id)
    for message in report.messages:
        journey = totals.journey(message["journey"])
        _add(journey.step(message["step"]).sent, message["channel"])
        hour = message["sent_at"][:13]
        _add(journey.hourly, hour)
        _add(totals.hourly, hour)
    for item in report.suppressed:
        if item["step"].startswith("("):
            continue  # journey-level exits, counted from the decision log below
        _add(totals.journey(item["journey"]).step(item["step"]).suppressed, item["reason"])
    for entry in report.timeline:
        if not entry.journey:
            continue
        journey = totals.journey(entry.journey)
        if entry.what == "started":
            journey.entered += 1
        elif entry.what == "stopped":
            if entry.detail.startswith("restarted"):
                journey.restarted += 1
            else:
                journey.exited += 1
        elif entry.what == "skipped":
            if entry.detail.startswith("exited"):
                journey.exited += 1
            _add(journey.skipped, entry.detail.split(":", 1)[0])
        elif entry.what == "deferred":
            journey.step(entry.step).deferred += 1
        elif entry.what == "failed":
            journey.failed += 1
    return totals
