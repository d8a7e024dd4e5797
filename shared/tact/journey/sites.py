"""Every JSONata expression a journey holds, where it is written and what it is evaluated on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tact.journey.model import Branch, GoalStep, Journey, SplitStep, WaitStep


@dataclass(frozen=True)
class ExpressionSite:
    loc: tuple[Any, ...]  # where in the file, e.g. ("exit_on", 0, "when")
    text: str
    event: str  # the event type whose data the expression reads as `event` and its noun
    with_entry: bool = False  # also sees `entry`: the trigger's context (exits, goals, waits)


def expression_sites(journey: Journey) -> list[ExpressionSite]:
    from tact.journey.guardrails import step_paths

    trigger = journey.trigger.event
    sites: list[ExpressionSite] = []
    if journey.trigger.when:
        sites.append(ExpressionSite(("trigger", "when"), journey.trigger.when, trigger))
    for i, rule in enumerate(journey.exit_on):
        if rule.when:
            sites.append(ExpressionSite(("exit_on", i, "when"), rule.when, rule.event, True))
    for path, step in step_paths(journey.steps):
        if isinstance(step, SplitStep):
            sites += [ExpressionSite((*path, "split", b, "if"), branch.if_, trigger)
                      for b, branch in enumerate(step.split) if isinstance(branch, Branch)]
        elif isinstance(step, WaitStep) and step.wait.until and not step.wait.until_time_of_day():
            sites.append(ExpressionSite((*path, "wait", "until"), step.wait.until, trigger))
        elif isinstance(step, GoalStep) and step.goal.when:
            sites.append(ExpressionSite((*path, "goal", "when"), step.goal.when,
                                        step.goal.event, True))
        elif getattr(step, "wait_for", None) is not None and step.wait_for.when:
            sites.append(ExpressionSite((*path, "wait_for", "when"), step.wait_for.when,
                                        step.wait_for.event, True))
    return sites
