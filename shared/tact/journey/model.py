"""The journey file, as pydantic models. ``tact schema`` exports these as JSON Schema."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from tact.journey.durations import Duration
from tact.journey.rules import (
    TIME_OF_DAY,
    Channel,
    ChannelChoice,
    ExitRule,
    Expression,
    Purpose,
    ReentryMode,
    Share,
    Strict,
    Trigger,
    check_event,
    check_expression,
)

_STEP_ID = r"^[a-z][a-z0-9_]{0,47}$"
StepId = Annotated[
    str, Field(pattern=_STEP_ID, description="lower_snake_case, unique in the journey")
]


def _exit_rule(value: Any) -> Any:
    return {"event": value} if isinstance(value, str) else value


MIN_WAIT = 60
# A Standard workflow execution lasts at most one year (Step Functions service quotas:
# https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html); a journey whose
# waits add up to more would be ended by AWS mid-way.
MAX_JOURNEY_SECONDS = 365 * 86400
MAX_TRIGGER_AGE = 86400
# Same quotas page: a definition is at most 1 MB and an execution's history 25,000 events; a
# step compiles to one to three states of a few hundred bytes, and each state entered adds
# two to five history events.
MAX_STEPS = 1_000


class WaitSpec(Strict):
    id: StepId | None = None
    duration: Duration | None = Field(default=None, description="e.g. 2h, 1d; at least one minute")
    until: str | None = Field(
        default=None,
        description='"09:00": the next 09:00 in the customer\'s time zone; anything else is a '
        "JSONata expression giving a date or time from data, e.g. order.delivery_date",
    )
    at: str | None = Field(
        default=None, description='with a date `until`: the local time of day on that date, "10:00"'
    )

    @model_validator(mode="after")
    def _one_kind(self) -> WaitSpec:
        if (self.duration is None) == (self.until is None):
            raise ValueError("a wait needs exactly one of `duration` (e.g. 2h) or `until` "
                             "(e.g. \"09:00\")")
        if self.duration is not None and self.duration < MIN_WAIT:
            raise ValueError(f"a wait must be at least one minute, got {self.duration}s")
        if self.duration is not None and self.duration > MAX_JOURNEY_SECONDS:
            raise ValueError(f"a wait can be at most 365d (Step Functions ends an execution "
                             f"after one year), got {self.duration // 86400}d")
        if self.at is not None:
            if not TIME_OF_DAY.match(self.at):
                raise ValueError(f"`at` must be a local time of day like 09:00, got {self.at!r}")
            if self.until is None or self.until_time_of_day():
                raise ValueError("`at` goes with a date `until` (an expression), not alone")
        if self.until is not None and not self.until_time_of_day():
            check_expression(self.until)
        return self

    def until_time_of_day(self) -> bool:
        return self.until is not None and bool(TIME_OF_DAY.match(self.until))


class WaitStep(Strict):
    wait: WaitSpec

    @field_validator("wait", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str) and TIME_OF_DAY.match(value.strip()):
            return {"until": value.strip()}
        return {"duration": value} if isinstance(value, str | int) else value


TEMPLATE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class SendSpec(Strict):
    id: StepId
    template: str = Field(min_length=1, description="name of a file in journeys/templates/, "
                          "without folder or .yaml")
    channel: ChannelChoice = "email"
    fallback: list[Channel] = Field(
        default_factory=list, description="channels to try, in order, when the first cannot be used"
    )

    @field_validator("template")
    @classmethod
    def _a_file_name(cls, value: str) -> str:
        # Templates are the files directly in templates/ (deployed in the bundle by name):
        # a folder or `..` would pass a file check here and match no template when sent.
        if not TEMPLATE_NAME.match(value) or ".." in value or value.endswith(".yaml"):
            raise ValueError(f"template {value!r} must be the name of a file in templates/ "
                             "without folder or .yaml, e.g. cart_reminder_1")
        return value


class SendStep(Strict):
    send: SendSpec


class Branch(Strict):
    if_: Expression = Field(alias="if", description="JSONata condition; first match wins")
    steps: list[Step] = Field(min_length=1)

    _if = field_validator("if_")(check_expression)


class ElseBranch(Strict):
    else_: list[Step] = Field(alias="else", min_length=1)


def _branch_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return "else" if "else" in value else "if"
    return None


AnyBranch = Annotated[
    Annotated[Branch, Tag("if")] | Annotated[ElseBranch, Tag("else")],
    Discriminator(_branch_kind),
]


class SplitStep(Strict):
    id: StepId | None = None
    split: list[AnyBranch] = Field(min_length=1)

    @field_validator("split")
    @classmethod
    def _else_last(cls, branches: list[Any]) -> list[Any]:
        for index, branch in enumerate(branches):
            if isinstance(branch, ElseBranch) and index != len(branches) - 1:
                raise ValueError("`else` must be the last branch of a split")
        return branches


class Variant(Strict):
    name: StepId
    weight: float = Field(gt=0, description="relative share, e.g. 50 and 50, or 90 and 10")
    steps: list[Step] = Field(default_factory=list, description="empty: this variant gets nothing")


class AbSplitStep(Strict):
    """A deterministic per-customer bucket: the same customer lands in the same variant."""

    id: StepId
    ab_split: list[Variant] = Field(min_length=2)

    @field_validator("ab_split")
    @classmethod
    def _unique_names(cls, variants: list[Variant]) -> list[Variant]:
        names = [v.name for v in variants]
        if len(set(names)) != len(names):
            raise ValueError("variant names in an ab_split must be unique")
        return variants


# Attributes Tact computes or needs for delivery: a journey may not overwrite them.
PROTECTED_ATTRIBUTES = frozenset({
    "email", "phone", "push_endpoint", "timezone", "locale", "has_account", "order_count",
    "total_spent", "average_order_value", "last_purchase_at", "favorite_category",
    "lifecycle_stage", "first_purchase_at", "next_best_products", "purchase_propensity_30d",
    "churn_risk",
})
Scalar = str | int | float | bool | None


class UpdateSpec(Strict):
    id: StepId
    set: dict[str, Scalar] = Field(default_factory=dict, description="profile attributes to set, "
                                   "e.g. {segment: vip}; null removes one")
    add_tags: list[str] = Field(default_factory=list, description="tags to add to `tags`")

    @field_validator("set")
    @classmethod
    def _names(cls, values: dict[str, Scalar]) -> dict[str, Scalar]:
        for name in values:
            if not re.match(_STEP_ID, name):
                raise ValueError(f"attribute name {name!r} must be lower_snake_case")
            if name in PROTECTED_ATTRIBUTES or name == "tags":
                raise ValueError(f"attribute {name!r} is maintained by Tact from events; "
                                 "set a custom attribute (or use add_tags) instead")
        return values

    @model_validator(mode="after")
    def _something(self) -> UpdateSpec:
        if not self.set and not self.add_tags:
            raise ValueError("an update needs `set` or `add_tags`")
        return self


class UpdateStep(Strict):
    update: UpdateSpec


class GoalSpec(Strict):
    id: StepId | None = None
    event: str = Field(description="the conversion event, e.g. purchase_completed")
    when: Expression | None = Field(
        default=None,
        description="JSONata condition; `event` is the goal event, `entry` the trigger",
    )

    _event = field_validator("event")(check_event)
    _when = field_validator("when")(lambda v: v if v is None else check_expression(v))


class GoalStep(Strict):
    """Conversion: when the event arrives while the customer is in the journey, the entry is
    marked converted and ends. It applies to the whole journey, wherever it is written."""

    goal: GoalSpec

    @field_validator("goal", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"event": value} if isinstance(value, str) else value


class ExitSpec(Strict):
    id: StepId | None = None
    reason: str = "exit"


class ExitStep(Strict):
    exit: ExitSpec

    @field_validator("exit", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if value is None:
            return {}
        return {"reason": value} if isinstance(value, str) else value


class WaitForSpec(Strict):
    """Wait for an event (e.g. a purchase) up to a timeout; branch on which came first."""

    id: StepId
    event: str = Field(description="the event type to wait for, e.g. purchase_completed")
    timeout: Duration = Field(description="how long to wait, at least a minute, e.g. 24h")
    when: Expression | None = Field(
        default=None, description="JSONata condition on the awaited event; `entry` is the trigger")
    on_event: list[Step] = Field(default_factory=list, description="steps when the event came")
    on_timeout: list[Step] = Field(default_factory=list, description="steps when it did not")

    @field_validator("timeout")
    @classmethod
    def _a_minute(cls, value: int) -> int:
        if value < MIN_WAIT:
            raise ValueError(f"a wait_for timeout must be at least one minute, got {value}s")
        if value > MAX_JOURNEY_SECONDS:
            raise ValueError(f"a wait_for timeout can be at most 365d (Step Functions ends an "
                             f"execution after one year), got {value // 86400}d")
        return value

    _event = field_validator("event")(check_event)
    _when = field_validator("when")(lambda v: v if v is None else check_expression(v))


class WaitForStep(Strict):
    wait_for: WaitForSpec


STEP_KINDS = ("wait", "send", "split", "ab_split", "update", "goal", "exit", "wait_for")


def _step_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for kind in STEP_KINDS:
            if kind in value:
                return kind
    return None


Step = Annotated[
    Annotated[WaitStep, Tag("wait")] | Annotated[SendStep, Tag("send")]
    | Annotated[SplitStep, Tag("split")] | Annotated[AbSplitStep, Tag("ab_split")]
    | Annotated[UpdateStep, Tag("update")] | Annotated[GoalStep, Tag("goal")]
    | Annotated[ExitStep, Tag("exit")] | Annotated[WaitForStep, Tag("wait_for")],
    Discriminator(
        _step_kind,
        custom_error_type="unknown_step",
        custom_error_message=f"a step must be one of: {', '.join(STEP_KINDS)}",
    ),
]

Branch.model_rebuild()
ElseBranch.model_rebuild()
Variant.model_rebuild()
WaitForSpec.model_rebuild()

class Journey(Strict):
    """One customer journey: who enters, when they leave, and what they receive."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    name: str = Field(min_length=1)
    description: str = ""
    trigger: Trigger
    exit_on: list[Annotated[ExitRule, Field()]] = Field(default_factory=list)
    reentry: ReentryMode = Field(
        default="ignore",
        description="ignore: a customer in the journey stays on their path; restart: a new "
        "trigger starts them over; allow: parallel entries",
    )
    reentry_interval: Duration | None = Field(
        default=None, description="with reentry: allow, the least time between two entries"
    )
    purpose: Purpose = "marketing"
    holdout: Share = Field(
        default=0.0, description="share of entrants kept as a control group: they receive "
        "nothing but their conversions are tracked, e.g. 10%"
    )
    max_trigger_age: Duration = Field(
        default=MAX_TRIGGER_AGE, description="a trigger event older than this when it arrives "
        "(a late delivery, a replay) enters no one: it is recorded as stale, e.g. 24h")
    steps: list[Step] = Field(min_length=1)

    @field_validator("exit_on", mode="before")
    @classmethod
    def _exit_shorthand(cls, value: Any) -> Any:
        return [_exit_rule(v) for v in value] if isinstance(value, list) else value

    @model_validator(mode="after")
    def _not_too_many_steps(self) -> Journey:
        count = sum(1 for _ in iter_steps(self.steps))
        if count > MAX_STEPS:
            raise ValueError(
                f"a journey has at most {MAX_STEPS:,} steps in `steps`, branches included; "
                f"this one has {count:,}: split it into several journeys (its state machine "
                "must stay within Step Functions' 1 MB definition and 25,000 history events)")
        return self

    @model_validator(mode="after")
    def _reentry_interval(self) -> Journey:
        if self.reentry_interval is not None and self.reentry != "allow":
            raise ValueError("reentry_interval only applies with `reentry: allow`")
        return self

    @model_validator(mode="after")
    def _unique_ids(self) -> Journey:
        seen: set[str] = set()
        for step in iter_steps(self.steps):
            step_id = explicit_id(step)
            if step_id and step_id in seen:
                raise ValueError(f"step id {step_id!r} is used twice; ids must be unique")
            if step_id:
                seen.add(step_id)
        return self

    def sends(self) -> list[SendSpec]:
        return [s.send for s in iter_steps(self.steps) if isinstance(s, SendStep)]

    def goals(self) -> list[GoalSpec]:
        return [s.goal for s in iter_steps(self.steps) if isinstance(s, GoalStep)]


def explicit_id(step: Any) -> str | None:
    if isinstance(step, SendStep):
        return step.send.id
    if isinstance(step, WaitStep):
        return step.wait.id
    if isinstance(step, SplitStep | AbSplitStep):
        return step.id
    if isinstance(step, UpdateStep):
        return step.update.id
    if isinstance(step, GoalStep):
        return step.goal.id
    if isinstance(step, ExitStep):
        return step.exit.id
    if isinstance(step, WaitForStep):
        return step.wait_for.id
    return None


def branches_of(step: Any) -> list[list[Any]]:
    """The nested step lists of a branching step (none for the others)."""
    if isinstance(step, SplitStep):
        return [b.steps if isinstance(b, Branch) else b.else_ for b in step.split]
    if isinstance(step, AbSplitStep):
        return [v.steps for v in step.ab_split]
    if isinstance(step, WaitForStep):
        return [step.wait_for.on_event, step.wait_for.on_timeout]
    return []


def iter_steps(steps: list[Any]) -> Any:
    """Every step, depth first, including those inside branches."""
    for step in steps:
        yield step
        for branch in branches_of(step):
            yield from iter_steps(branch)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")
