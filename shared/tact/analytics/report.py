"""The one function behind every number a report shows (terminal, JSON, HTML).

Input: the rows of the report's SQL (``sql/*.sql``), run by DuckDB or Athena over decision
records. Counts are of customers wherever a rate is formed: restarts never inflate entered or
converted, and A/B and holdout groups compare customers. A conversion is a goal event within
the attribution window after an entry of that customer. With no goal, there is no test.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import BaseModel

from tact.analytics.queries import QueryRunner, Row, run_all
from tact.report.stats import DEFAULT_MIN_SAMPLE, Group, compare, difference_interval

NO_GOAL = ("no goal: nothing counts as a conversion, so no test is run. Add a `goal` step "
           "(or pass --goal EVENT to simulate and report)")
NOT_SENT_LISTED = 100  # customers listed per journey; the count covers all of them


class StepOutcomes(BaseModel):
    step: str
    sent: int = 0
    not_sent: dict[str, int] = {}
    unknown: int = 0
    deferred: int = 0
    channels: dict[str, int] = {}  # sent per channel


class GroupResult(BaseModel):
    name: str
    entered: int  # customers
    converted: int  # customers
    rate: float


class ComparisonResult(BaseModel):
    comparison: str
    control: GroupResult
    treatment: GroupResult
    lift: float | None  # relative
    difference: float  # treatment rate - control rate
    ci95: tuple[float, float] | None  # of the difference
    z: float | None
    p_value: float | None
    verdict: str
    winner: str | None


class Revenue(BaseModel):
    currency: str
    value: float


class NotSent(BaseModel):
    customer_id: str
    step: str
    reason: str
    at: str


class JourneyReport(BaseModel):
    journey: str
    goals: list[str]
    entered: int  # customers
    entries: int  # entries, restarts included
    holdout: int  # customers in the control group
    sent: int
    not_sent: dict[str, int]
    unknown: int
    deferred: int
    exited: int  # customers who left on an exit event or at an `exit` step
    converted: int  # customers
    conversion_rate: float | None
    revenue: list[Revenue]
    not_entered: dict[str, int]
    steps: list[StepOutcomes]
    comparisons: list[ComparisonResult]
    not_sent_customers: list[NotSent]
    note: str | None = None

    @property
    def not_sent_total(self) -> int:
        return sum(self.not_sent.values())

    def summary(self) -> str:
        """The one-line summary, in the same words in the terminal and on the page."""
        text = (f"{self.entered} customers entered ({self.entries} entries)"
                + (f", {self.holdout} in the holdout" if self.holdout else "")
                + f", {self.sent} sent, {self.not_sent_total} not sent"
                + (f", {self.deferred} deferred" if self.deferred else "")
                + (f", {self.unknown} unknown outcome" if self.unknown else "")
                + f", {self.exited} exited")
        if not self.goals:
            return text + "; no goal"
        text += f", {self.converted} converted (goal: {', '.join(self.goals)})"
        if self.revenue:
            text += ", revenue " + ", ".join(f"{r.value:,.2f} {r.currency}".strip()
                                              for r in self.revenue)
        return text


class HourlySends(BaseModel):
    hour: str  # "YYYY-MM-DDTHH", UTC
    sent: int


class Report(BaseModel):
    window_days: float
    since: str | None = None
    journeys: list[JourneyReport]
    sends_per_hour: list[HourlySends]  # all journeys

    def journey(self, journey_id: str) -> JourneyReport | None:
        return next((j for j in self.journeys if j.journey == journey_id), None)


def compute_report(runner: QueryRunner, window_ms: int, min_sample: int = DEFAULT_MIN_SAMPLE,
                   since: str = "") -> Report:
    return build_report(run_all(runner, window_ms, since), window_ms, min_sample, since)


def _int(value: Any) -> int:
    return int(value or 0)


def build_report(rows: dict[str, list[Row]], window_ms: int,
                 min_sample: int = DEFAULT_MIN_SAMPLE, since: str = "") -> Report:
    revenue: dict[str, list[Revenue]] = defaultdict(list)
    for row in rows["revenue"]:
        revenue[str(row["journey"])].append(
            Revenue(currency=str(row["currency"] or ""),
                    value=round(float(str(row["revenue"])), 6)))
    steps, not_sent, not_entered = _outcomes(rows["outcomes"])
    groups: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for row in rows["groups"]:
        groups[str(row["journey"])][str(row["test"])].append(row)
    listed: dict[str, list[NotSent]] = defaultdict(list)
    for row in rows["not_sent"]:
        listed[str(row["journey"])].append(NotSent(
            customer_id=str(row["customer_id"]), step=str(row["step"]),
            reason=str(row["reason"]), at=str(row["decided_at"])))
    journeys = []
    for row in rows["journeys"]:
        journey = str(row["journey"])
        goals = sorted({g for g in str(row["goals"] or "").split(",") if g})
        entered, converted = _int(row["entered"]), _int(row["converted"])
        journeys.append(JourneyReport(
            journey=journey, goals=goals, entered=entered, entries=_int(row["entries"]),
            holdout=_int(row["holdout"]), sent=_int(row["sent"]),
            not_sent=not_sent.get(journey, {}), unknown=_int(row["unknown"]),
            deferred=_int(row["deferred"]), exited=_int(row["exited"]),
            converted=converted if goals else 0,
            conversion_rate=round(converted / entered, 6) if goals and entered else None,
            revenue=revenue.get(journey, []) if goals else [],
            not_entered=not_entered.get(journey, {}), steps=steps.get(journey, []),
            comparisons=_comparisons(groups.get(journey, {}), min_sample) if goals else [],
            not_sent_customers=listed.get(journey, []), note=None if goals else NO_GOAL))
    hourly: dict[str, int] = defaultdict(int)
    for row in rows["sends"]:
        hourly[str(row["hour"])] += _int(row["sent"])
    return Report(window_days=round(window_ms / 86_400_000, 6), since=since or None,
                  journeys=journeys,
                  sends_per_hour=[HourlySends(hour=h, sent=n) for h, n in sorted(hourly.items())])


def _outcomes(rows: list[Row]) -> tuple[dict[str, list[StepOutcomes]], dict[str, dict[str, int]],
                                         dict[str, dict[str, int]]]:
    by_step: dict[str, dict[str, StepOutcomes]] = defaultdict(dict)
    first: dict[tuple[str, str], int] = {}
    not_sent: dict[str, dict[str, int]] = defaultdict(dict)
    not_entered: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        journey, kind, n = str(row["journey"]), str(row["kind"]), _int(row["n"])
        reason = str(row["reason"] or "")
        if kind == "skipped":
            key = reason.split(":")[0] or "skipped"
            not_entered[journey][key] = not_entered[journey].get(key, 0) + n
            continue
        step = str(row["step"])
        key_ms = _int(row["first_ms"])
        first[(journey, step)] = min(first.get((journey, step), key_ms), key_ms)
        outcome = by_step[journey].setdefault(step, StepOutcomes(step=step))
        if kind == "sent":
            outcome.sent += n
            channel = str(row["channel"] or "")
            outcome.channels[channel] = outcome.channels.get(channel, 0) + n
        elif kind == "not_sent":
            outcome.not_sent[reason] = outcome.not_sent.get(reason, 0) + n
            not_sent[journey][reason] = not_sent[journey].get(reason, 0) + n
        elif kind == "unknown":
            outcome.unknown += n
        elif kind == "deferred":
            outcome.deferred += n
    ordered = {journey: sorted(found.values(), key=lambda s: (first[(journey, s.step)], s.step))
               for journey, found in by_step.items()}
    return ordered, not_sent, not_entered


def _group(row: Row) -> Group:
    return Group(str(row["grp"]), _int(row["customers"]), _int(row["converted"]))


def _comparisons(tests: dict[str, list[Row]], min_sample: int) -> list[ComparisonResult]:
    found = []
    for test in sorted(tests, key=lambda t: (t != "holdout", t)):
        rows = sorted(tests[test], key=lambda r: (str(r["sort_key"]), str(r["grp"])))
        base = _group(rows[0])
        for row in rows[1:]:
            label = "holdout" if test == "holdout" else f"{test}: {row['grp']} vs {base.name}"
            found.append(_result(label, base, _group(row), min_sample))
    return found


def _result(label: str, control: Group, treatment: Group, min_sample: int) -> ComparisonResult:
    c = compare(control, treatment, min_sample)
    interval = difference_interval(control, treatment)

    def group(g: Group) -> GroupResult:
        return GroupResult(name=g.name, entered=g.entered, converted=g.converted,
                           rate=round(g.rate, 6))

    return ComparisonResult(
        comparison=label, control=group(control), treatment=group(treatment),
        lift=None if c.lift is None else round(c.lift, 6),
        difference=round(treatment.rate - control.rate, 6),
        ci95=None if interval is None else (round(interval[0], 6), round(interval[1], 6)),
        z=None if c.z is None else round(c.z, 6),
        p_value=None if c.p_value is None else round(c.p_value, 6),
        verdict=c.verdict, winner=c.winner)
