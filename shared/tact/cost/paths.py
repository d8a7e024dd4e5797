"""Walk a compiled state machine: what one journey entry costs along its paths.

Read from the ASL the compiler emits (never from the YAML), so the figures follow whatever the
deployed machine does. A path runs from ``StartAt`` to a terminal state along ``Next``,
``Default`` and ``Choices``; ``Catch`` edges (failures) are left out. Loops are cut where they
return to a state already on the path, except the quiet-hours loop of a send (Task -> Choice
-> Wait -> same Task), which is priced as "deferred once" with a configurable share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tact.journey.states import payload, send_of

DEFERRAL_EXTRA_TRANSITIONS = 3  # quiet-hours Wait, the send Task again, its Choice again


@dataclass
class PathCost:
    """Counts for one entry along one path (floats: ``typical`` is an expectation)."""

    transitions: float = 0.0
    lambda_invocations: float = 0.0
    sends: dict[tuple[str, str], float] = field(default_factory=dict)  # (channel, purpose)
    states: list[str] = field(default_factory=list)  # the path itself (shortest/longest only)

    def plus(self, other: PathCost, weight: float = 1.0) -> PathCost:
        sends = dict(self.sends)
        for key, count in other.sends.items():
            sends[key] = sends.get(key, 0.0) + count * weight
        return PathCost(self.transitions + other.transitions * weight,
                        self.lambda_invocations + other.lambda_invocations * weight,
                        sends, self.states + other.states if weight == 1.0 else self.states)

    @property
    def messages(self) -> float:
        return sum(self.sends.values())


@dataclass
class JourneyPaths:
    shortest: PathCost
    typical: PathCost
    longest: PathCost
    send_states: int
    choice_states: int


def _is_task(state: dict[str, Any]) -> bool:
    return state.get("Type") == "Task"


def _send_of(state: dict[str, Any], default_channel: str) -> tuple[str, str] | None:
    send = send_of(state)
    if send is None:
        return None
    channel = send.channel or default_channel
    if channel == "preferred":
        channel = default_channel
    return channel, send.purpose


def _successors(state: dict[str, Any]) -> list[str]:
    if state.get("Type") == "Choice":
        nexts = [c["Next"] for c in state.get("Choices", [])]
        return nexts + ([state["Default"]] if state.get("Default") else [])
    return [state["Next"]] if state.get("Next") else []


def _terminal(state: dict[str, Any]) -> bool:
    return bool(state.get("End")) or state.get("Type") in ("Succeed", "Fail")


def _deferral_loop(states: dict[str, Any], task: str, choice: str, target: str) -> bool:
    """True for the branch Choice -> Wait -> back to the send Task (quiet hours)."""
    wait = states.get(target, {})
    return (states.get(choice, {}).get("Type") == "Choice" and wait.get("Type") == "Wait"
            and wait.get("Next") == task)


def _branch_shares(choice: dict[str, Any], task: dict[str, Any]) -> list[float] | None:
    """Shares of a Choice's successors when the task before it buckets customers by weight
    (ab_split) or share (holdout); None when branches depend on data."""
    if choice.get("Type") != "Choice" or not _is_task(task):
        return None
    spec = payload(task)
    count = len(choice.get("Choices", [])) + (1 if choice.get("Default") else 0)
    if spec.get("op") == "bucket" and spec.get("weights"):
        weights = [float(w) for w in spec["weights"]]
        return (weights + [0.0] * count)[:count]  # the Default repeats the last variant
    if spec.get("op") == "holdout" and isinstance(spec.get("share"), int | float):
        share = float(spec["share"])
        return ([share] + [1.0 - share] * count)[:count]
    return None


def analyse(definition: dict[str, Any], default_channel: str = "email",
            deferral_share: float = 0.2) -> JourneyPaths:
    states: dict[str, dict[str, Any]] = definition["States"]

    def own(name: str) -> PathCost:
        state = states[name]
        cost = PathCost(transitions=1, states=[name])
        if _is_task(state):
            cost.lambda_invocations = 1
            send = _send_of(state, default_channel)
            if send:
                cost.sends = {send: 1.0}
        return cost

    memo: dict[str, tuple[PathCost, PathCost, PathCost]] = {}

    def walk(name: str, stack: tuple[str, ...]) -> tuple[PathCost, PathCost, PathCost] | None:
        if name in memo:
            return memo[name]
        state = states[name]
        here = own(name)
        if _terminal(state):
            memo[name] = (here, here, here)
            return memo[name]
        options: list[tuple[PathCost, PathCost, PathCost]] = []
        weights: list[float] = []
        deferred = False
        shares = _branch_shares(state, states[stack[-1]] if stack else {})
        for index, nxt in enumerate(_successors(state)):
            if nxt in stack or nxt == name:
                continue
            if stack and _deferral_loop(states, stack[-1], name, nxt):
                deferred = True  # a deferred send is still one message; only the retry costs
                continue
            result = walk(nxt, (*stack, name))
            if result is not None:
                options.append(result)
                weights.append(shares[index] if shares else 1.0)
        if not options:
            return None  # only loops from here: not a way out
        short = min((o[0] for o in options), key=lambda c: c.transitions)
        long_ = max((o[2] for o in options), key=lambda c: c.transitions)
        typical = PathCost()
        total = sum(weights) or 1.0
        for option, weight in zip(options, weights, strict=True):
            # ab_split and holdout by their weights; condition branches equally (no data)
            typical = typical.plus(option[1], weight / total)
        shortest, expected, longest = here.plus(short), here.plus(typical, 1.0), here.plus(long_)
        expected.states = []
        if deferred:
            extra = PathCost(transitions=DEFERRAL_EXTRA_TRANSITIONS, lambda_invocations=1)
            longest = longest.plus(extra)
            expected = expected.plus(extra, deferral_share)
        memo[name] = (shortest, expected, longest)
        return memo[name]

    result = walk(definition["StartAt"], ())
    if result is None:
        empty = PathCost()
        result = (empty, empty, empty)
    return JourneyPaths(
        shortest=result[0], typical=result[1], longest=result[2],
        send_states=sum(1 for s in states.values() if _send_of(s, default_channel)),
        choice_states=sum(1 for s in states.values() if s.get("Type") == "Choice"),
    )
