"""What the Lambda functions need of the journeys folder, as one JSON file.

``tact build`` writes it beside the state machine definitions; the functions load it once
per cold start. Journeys, settings and templates travel together so a deployment is
always internally consistent.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from tact.broadcast.runtime import BroadcastRuntime, runtime_of
from tact.journey.compiler import compile_journey, journey_version
from tact.journey.model import ExitRule, Journey, Purpose, ReentryMode, Trigger
from tact.journey.references import input_fields
from tact.journey.settings import Settings
from tact.templates import MessageTemplate

if TYPE_CHECKING:  # the Lambda functions load bundles; only `tact build` reads YAML projects
    from tact.journey.project import Project


class JourneyRuntime(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    version: str
    trigger: Trigger
    exit_on: list[ExitRule]
    reentry: ReentryMode
    purpose: Purpose
    max_duration: int  # seconds on the longest path, so an entry's end can be known without a call
    goals: list[ExitRule] = []  # conversion events: they mark the entry converted and end it
    # Conversion events only measured (`simulate`/`report --goal`): counted, nothing ends.
    measured_goals: list[ExitRule] = []
    holdout: float = 0.0  # share of entrants kept as a control group
    reentry_interval: int = 0  # with reentry "allow": least seconds between two entries
    # Paths under the trigger's data that the execution carries ([] = all of it): what the
    # journey's steps and templates read (tact.journey.references).
    input_fields: list[list[str]] = [[]]
    max_trigger_age: int = 86400  # seconds: older trigger events are stale and enter no one


class Bundle(BaseModel):
    model_config = ConfigDict(frozen=True)

    settings: Settings
    journeys: dict[str, JourneyRuntime]
    templates: dict[str, MessageTemplate]
    broadcasts: dict[str, BroadcastRuntime] = {}


DATE_WAIT_HORIZON = 30 * 86400  # a wait until a date from data: assumed at most this far


def longest_wait(steps: list[Any]) -> int:
    from tact.journey.model import WaitStep, branches_of

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


def bundle_json(bundle: Bundle) -> str:
    data = bundle.model_dump(mode="json", by_alias=True)
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


@cache
def load_bundle(path: str) -> Bundle:
    return Bundle.model_validate_json(Path(path).read_text(encoding="utf-8"))
