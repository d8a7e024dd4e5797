"""Per journey and step: entered, sent, suppressed by reason, exited, converted; A/B and holdout.

Built from a run's records (locally: the simulator's report, whose executions list the states
each entry passed and the branch each bucket task chose). An entry converts when one of the
journey's goal events (``goal`` steps, or ``--goal``) arrives for the customer within the
attribution window after entering -- for control-group entries too, which is the point.
A goal step's ``when`` is evaluated as ingest does: ``entry`` is the trigger's context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tact.clock import parse_iso
from tact.journey.model import AbSplitStep, Journey, iter_steps
from tact.journey.states import step_kind
from tact.report.stats import DEFAULT_MIN_SAMPLE, Comparison, Group, compare

HOLDOUT_CONTROL = "holdout_control"  # the compiler's Succeed state for the control group
DEFAULT_WINDOW = timedelta(days=7)


@dataclass
class StepRow:
    step: str
    kind: str
    reached: int = 0
    sent: int = 0
    suppressed: dict[str, int] = field(default_factory=dict)


@dataclass
class Entry:
    customer_id: str
    start: str
    stop: str | None
    status: str
    cause: str | None
    states: list[str]
    branches: dict[str, Any]
    converted: bool = False
    control: bool = False


@dataclass
class JourneyFunnel:
    journey: str
    entries: list[Entry] = field(default_factory=list)
    not_entered: dict[str, int] = field(default_factory=dict)  # reason -> triggers
    steps: list[StepRow] = field(default_factory=list)
    sent: int = 0
    suppressed: dict[str, int] = field(default_factory=dict)
    goals: list[str] = field(default_factory=list)
    comparisons: list[tuple[str, Comparison]] = field(default_factory=list)

    @property
    def entered(self) -> int:
        return len(self.entries)

    @property
    def exited(self) -> int:
        return sum(1 for e in self.entries if (e.cause or "").startswith("exit_on"))

    @property
    def converted(self) -> int:
        return sum(1 for e in self.entries if e.converted)

    @property
    def control(self) -> int:
        return sum(1 for e in self.entries if e.control)

    def to_json(self) -> dict[str, Any]:
        return {
            "journey": self.journey, "entered": self.entered, "holdout": self.control,
            "sent": self.sent, "suppressed": self.suppressed, "exited": self.exited,
            "converted": self.converted, "goals": self.goals, "not_entered": self.not_entered,
            "steps": [{"step": s.step, "kind": s.kind, "reached": s.reached, "sent": s.sent,
                       "suppressed": s.suppressed} for s in self.steps],
            "comparisons": [_comparison_json(label, c) for label, c in self.comparisons],
        }


def _comparison_json(label: str, c: Comparison) -> dict[str, Any]:
    def group(g: Group) -> dict[str, Any]:
        return {"name": g.name, "entered": g.entered, "converted": g.converted,
                "rate": round(g.rate, 6)}

    return {"comparison": label, "control": group(c.control), "treatment": group(c.treatment),
            "lift": None if c.lift is None else round(c.lift, 6),
            "z": None if c.z is None else round(c.z, 6),
            "p_value": None if c.p_value is None else round(c.p_value, 6),
            "verdict": c.verdict, "winner": c.winner}


def _converted(entry: Entry, goal_events: list[dict[str, Any]], window: timedelta) -> bool:
    start = parse_iso(entry.start)
    return any(start <= parse_iso(e["time"]) <= start + window for e in goal_events)


def _goal_met(journey: Journey, goal: str | None, event: dict[str, Any],
              entry_context: dict[str, Any]) -> bool:
    """The journey's goal `when` conditions, as ingest evaluates them (`entry` = trigger)."""
    if goal:
        return True
    from tact.expressions import ExpressionError, context_for, is_true

    context = {**context_for(event, {}), "entry": entry_context}
    for spec in journey.goals():
        if spec.event != event["type"]:
            continue
        try:
            if is_true(spec.when, context):
                return True
        except ExpressionError:
            continue  # only count a conversion that surely happened
    return False


def build_funnels(report: Any, journeys: dict[str, Journey],
                  definitions: dict[str, dict[str, Any]], events: list[dict[str, Any]],
                  goal: str | None = None, window: timedelta = DEFAULT_WINDOW,
                  min_sample: int = DEFAULT_MIN_SAMPLE) -> list[JourneyFunnel]:
    funnels = []
    for journey_id in sorted(definitions):
        journey = journeys[journey_id]
        definition = definitions[journey_id]
        funnel = JourneyFunnel(journey_id)
        funnel.goals = [goal] if goal else sorted({g.event for g in journey.goals()})
        for run in report.executions:
            if run["journey"] != journey_id:
                continue
            entry = Entry(run["customer_id"], run["start"], run.get("stop"), run["status"],
                          run.get("cause"), list(run["states"]), dict(run.get("branches", {})))
            entry.control = HOLDOUT_CONTROL in entry.states
            goal_events = [e for e in events if e["customer_id"] == entry.customer_id
                           and e["type"] in funnel.goals
                           and _goal_met(journey, goal, e, run.get("context") or {})]
            entry.converted = _converted(entry, goal_events, window)
            funnel.entries.append(entry)
        for item in report.timeline:
            if item.journey == journey_id and item.what == "skipped":
                reason = item.detail.split(":")[0] if item.detail else "skipped"
                funnel.not_entered[reason] = funnel.not_entered.get(reason, 0) + 1
        rows: dict[str, StepRow] = {}
        # The timer Wait after a wait_until task is part of that one step.
        timers = {state.get("Next") for state in definition["States"].values()
                  if step_kind(state) == "wait_until"}
        for name, state in definition["States"].items():
            kind = step_kind(state)
            if kind and name not in timers:
                rows[name] = StepRow(name, kind)
        for entry in funnel.entries:
            for name in dict.fromkeys(entry.states):
                if name in rows:
                    rows[name].reached += 1
        for message in report.messages:
            if message["journey"] == journey_id:
                funnel.sent += 1
                if message["step"] in rows:
                    rows[message["step"]].sent += 1
        for item in report.suppressed:
            if item["journey"] != journey_id:
                continue
            reason = item["reason"]
            funnel.suppressed[reason] = funnel.suppressed.get(reason, 0) + 1
            if item["step"] in rows:
                row = rows[item["step"]]
                row.suppressed[reason] = row.suppressed.get(reason, 0) + 1
        funnel.steps = list(rows.values())
        funnel.comparisons = _comparisons(funnel, journey, min_sample)
        funnels.append(funnel)
    return funnels


def _group(name: str, entries: list[Entry]) -> Group:
    return Group(name, len(entries), sum(1 for e in entries if e.converted))


def _comparisons(funnel: JourneyFunnel, journey: Journey,
                 min_sample: int) -> list[tuple[str, Comparison]]:
    found: list[tuple[str, Comparison]] = []
    if journey.holdout > 0:
        control = [e for e in funnel.entries if e.control]
        treated = [e for e in funnel.entries if not e.control]
        found.append(("holdout", compare(_group("holdout (no messages)", control),
                                         _group("journey", treated), min_sample)))
    for step in iter_steps(journey.steps):
        if not isinstance(step, AbSplitStep):
            continue
        names = [v.name for v in step.ab_split]
        by_variant: dict[int, list[Entry]] = {i: [] for i in range(len(names))}
        for entry in funnel.entries:
            branch = entry.branches.get(step.id)
            if isinstance(branch, int) and branch in by_variant:
                by_variant[branch].append(entry)
        base = _group(names[0], by_variant[0])
        for index in range(1, len(names)):
            found.append((f"{step.id}: {names[index]} vs {names[0]}",
                          compare(base, _group(names[index], by_variant[index]), min_sample)))
    return found
