"""What the Lambda functions need of the journeys folder, as one JSON file.

``tact build`` writes it beside the state machine definitions (tact.journey.bundle_builder);
the functions load it once per cold start. Journeys, settings and templates travel together
so a deployment is always internally consistent. This module is the functions' side: it
imports none of the journey file's model or the compiler.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from tact.broadcast.runtime import BroadcastRuntime
from tact.journey.rules import ExitRule, Purpose, ReentryMode, Trigger
from tact.journey.settings import Settings
from tact.templates import MessageTemplate


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


def bundle_json(bundle: Bundle) -> str:
    data = bundle.model_dump(mode="json", by_alias=True)
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


@cache
def load_bundle(path: str) -> Bundle:
    return Bundle.model_validate_json(Path(path).read_text(encoding="utf-8"))
