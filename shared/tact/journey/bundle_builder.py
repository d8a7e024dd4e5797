"""``tact build``'s side of the bundle: journeys compiled, their run-time parts extracted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tact.broadcast.runtime import runtime_of
from tact.journey.bundle import Bundle, JourneyRuntime
from tact.journey.compiler import compile_journey, journey_version
from tact.journey.model import Journey, WaitStep, branches_of
from tact.journey.references import input_fields
from tact.journey.rules import ExitRule

if TYPE_CHECKING:
    from tact.journey.project import Project

DATE_WAIT_HORIZON = 30 * 86400  # a wait until a date from data: assumed at most this far


def longest_wait(steps: list[Any]) -> int:
    total = 0
    for step in steps:
        if isinstance(step, WaitStep):
            if step.wait.duration is not None:
                total += step.wait.duration
            else:
                total += 86400 if step.wait.until_time_of_day() else DATE_WAIT_HORIZON
        elif hasattr(step, "wait_for"):  # waits for an event: at most its timeout, then a branch
            total += int(step.wait_for.timeout) + max(longest_wait(b) for b in branches_of(step))
        elif branches_of(step):
            total += max(longest_wait(branch) for branch in branches_of(step))
    return total


def build(project: Project) -> tuple[Bundle, dict[str, dict[str, Any]]]:
    """The bundle and every journey's compiled definition."""
    definitions: dict[str, dict[str, Any]] = {}
    runtimes: dict[str, JourneyRuntime] = {}
    for journey_id, journey in sorted(project.journeys.items()):
        definition = compile_journey(journey)
        definitions[journey_id] = definition
        runtimes[journey_id] = _runtime(journey, definition, input_fields(journey,
                                                                           project.templates))
    from tact.broadcast.segment import condition_of

    broadcasts = {bid: runtime_of(b, condition_of(b, project.segments))
                  for bid, b in sorted(project.broadcasts.items())}
    bundle = Bundle(settings=project.settings, journeys=runtimes, templates=project.templates,
                    broadcasts=broadcasts)
    return bundle, definitions



def _runtime(journey: Journey, definition: dict[str, Any],
             fields: list[list[str]]) -> JourneyRuntime:
    # A day of slack: quiet-hours deferrals and retries can stretch a path.
    return JourneyRuntime(
        id=journey.id,
        version=journey_version(journey, definition),
        trigger=journey.trigger,
        exit_on=journey.exit_on,
        reentry=journey.reentry,
        purpose=journey.purpose,
        max_duration=longest_wait(journey.steps) + 86400,
        goals=[ExitRule(event=g.event, when=g.when) for g in journey.goals()],
        holdout=journey.holdout,
        reentry_interval=journey.reentry_interval or 0,
        input_fields=fields,
        max_trigger_age=journey.max_trigger_age,
    )
