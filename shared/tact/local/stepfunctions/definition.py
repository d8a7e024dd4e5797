"""Checks at registration, as Step Functions makes them at CreateStateMachine: a definition is
either run with real semantics or refused, never half-run."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tact.local.stepfunctions.errors import InvalidDefinition, InvalidName, UnsupportedDefinition
from tact.local.stepfunctions.jsonata_context import compile_expression, is_expression
from tact.local.stepfunctions.records import LAMBDA_INVOKE, LAMBDA_INVOKE_WAIT
from tact.local.stepfunctions.values import is_int, parse_timestamp

_STATE_MACHINE_ARN = re.compile(
    r"^arn:aws[a-z-]*:states:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):stateMachine:"
    r"(?P<name>[A-Za-z0-9_-]{1,80})(?::(?P<qualifier>[A-Za-z0-9_-]+))?$"
)

_PLACEHOLDER = re.compile(r"\$\{[A-Za-z][A-Za-z0-9_]*\}")
_BAD_NAME_CHARS = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")

_TOP_FIELDS = {"QueryLanguage", "StartAt", "States", "Comment", "TimeoutSeconds", "Version"}
_COMMON_FIELDS = {"Type", "Comment", "QueryLanguage"}
_STATE_FIELDS: dict[str, set[str]] = {
    "Task": {
        "Resource",
        "Arguments",
        "Output",
        "Assign",
        "Next",
        "End",
        "Retry",
        "Catch",
        "TimeoutSeconds",
        "HeartbeatSeconds",
    },
    "Pass": {"Output", "Assign", "Next", "End"},
    "Wait": {"Seconds", "Timestamp", "Output", "Assign", "Next", "End"},
    "Choice": {"Choices", "Default", "Output", "Assign"},
    "Succeed": {"Output"},
    "Fail": {"Error", "Cause"},
    "Map": {"Items", "ItemSelector", "ItemProcessor", "MaxConcurrency",
            "ToleratedFailurePercentage", "ToleratedFailureCount", "Label", "Output", "Assign",
            "Next", "End", "Catch"},
}
_PROCESSOR_FIELDS = {"ProcessorConfig", "StartAt", "States", "Comment"}
MAX_DISTRIBUTED_CONCURRENCY = 10_000
_RETRY_FIELDS = {
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
}
_CATCH_FIELDS = {"ErrorEquals", "Next", "Output", "Assign", "Comment"}
_RULE_FIELDS = {"Condition", "Next", "Output", "Assign", "Comment"}
_LAMBDA_ARGUMENTS = {"FunctionName", "Payload"}


def parse_state_machine_arn(arn: str) -> tuple[str, str, str, str | None]:
    match = _STATE_MACHINE_ARN.match(arn)
    if match is None:
        raise ValueError(f"not a state machine ARN: {arn!r}")
    return match["region"], match["account"], match["name"], match["qualifier"]


def check_execution_name(name: str) -> None:
    # Step Functions' naming rules; a deterministic name that breaks them fails in AWS too.
    if not 1 <= len(name) <= 80 or _BAD_NAME_CHARS.search(name):
        raise InvalidName(
            f"invalid execution name {name!r}: 1-80 characters, no whitespace "
            'and none of < > { } [ ] ? * " # % \\ ^ | ~ ` $ & , ; : /'
        )


def substitute(definition: dict[str, Any] | str, substitutions: Mapping[str, str]) -> Any:
    """Replace ``${Name}`` like CloudFormation's DefinitionSubstitutions, then fail on leftovers."""
    text = definition if isinstance(definition, str) else json.dumps(definition)
    for name, value in substitutions.items():
        text = text.replace("${" + name + "}", value)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidDefinition(f"definition is not valid JSON after substitution: {exc}") from exc
    leftovers = sorted(set(_PLACEHOLDER.findall(text)))
    if leftovers:
        raise InvalidDefinition(
            f"unreplaced placeholders in the definition: {leftovers}; pass them in substitutions"
        )
    return document


def validate_definition(document: Any, find_handler: Callable[[str], Any]) -> None:
    if not isinstance(document, dict):
        raise InvalidDefinition("a definition must be a JSON object")
    _only(document, _TOP_FIELDS, "the definition")
    if document.get("QueryLanguage") != "JSONata":
        raise UnsupportedDefinition(
            'the definition: top-level QueryLanguage must be "JSONata" (JSONPath is not '
            f"supported), got {document.get('QueryLanguage')!r}"
        )
    states = document.get("States")
    if not isinstance(states, dict) or not states:
        raise InvalidDefinition("the definition: States must be a non-empty object")
    if document.get("StartAt") not in states:
        raise InvalidDefinition(f"StartAt {document.get('StartAt')!r} is not a state")
    if "TimeoutSeconds" in document and not _positive_int(document["TimeoutSeconds"]):
        raise InvalidDefinition("the definition: TimeoutSeconds must be a positive integer")
    for name, state in states.items():
        _validate_state(name, state, states, find_handler)
    _check_reachable(document["StartAt"], states)


def _validate_state(
    name: str, state: Any, states: dict[str, Any], find_handler: Callable[[str], Any]
) -> None:
    where = f"state {name!r}"
    if len(name) > 80:
        raise InvalidDefinition(f"{where}: state names are at most 80 characters")
    if not isinstance(state, dict):
        raise InvalidDefinition(f"{where}: must be an object")
    kind = state.get("Type")
    if kind not in _STATE_FIELDS:
        raise UnsupportedDefinition(
            f"{where}: field 'Type' = {kind!r} is not supported "
            f"(supported: {sorted(_STATE_FIELDS)})"
        )
    if state.get("QueryLanguage", "JSONata") != "JSONata":
        raise UnsupportedDefinition(f"{where}: field 'QueryLanguage' must be \"JSONata\"")
    _only(state, _COMMON_FIELDS | _STATE_FIELDS[kind], f"{where} ({kind})")
    _check_transition(where, kind, state, states)
    if "Assign" in state:
        _check_assign(where, state["Assign"])
    if kind == "Task":
        _check_task(where, state, states, find_handler)
    elif kind == "Wait":
        _check_wait(where, state)
    elif kind == "Choice":
        _check_choice(where, state, states)
    elif kind == "Fail":
        _check_fail(where, state)
    elif kind == "Map":
        _check_map(where, state, states, find_handler)
    _check_expressions(where, {k: v for k, v in state.items() if k != "ItemProcessor"})


def _only(obj: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in obj:
        if key not in allowed:
            raise UnsupportedDefinition(
                f"{where}: field {key!r} is not supported (supported: {sorted(allowed)})"
            )


def _check_transition(where: str, kind: str, state: dict[str, Any], states: dict[str, Any]) -> None:
    if kind in {"Task", "Pass", "Wait", "Map"}:
        has_next, ends = "Next" in state, state.get("End") is True
        if has_next == ends:
            raise InvalidDefinition(f'{where}: needs exactly one of Next or "End": true')
        if "End" in state and state["End"] is not True:
            raise InvalidDefinition(f"{where}: End must be true when present")
        if has_next:
            _check_target(where, "Next", state["Next"], states)


def _check_target(where: str, field_name: str, target: Any, states: dict[str, Any]) -> None:
    if not isinstance(target, str) or target not in states:
        raise InvalidDefinition(f"{where}: {field_name} {target!r} is not a state")


def _check_assign(where: str, assign: Any) -> None:
    if not isinstance(assign, dict):
        raise InvalidDefinition(f"{where}: Assign must be an object")
    for variable in assign:
        if not variable.isidentifier() or len(variable) > 80 or variable == "states":
            raise InvalidDefinition(f"{where}: invalid variable name {variable!r} in Assign")


def _check_task(
    where: str, state: dict[str, Any], states: dict[str, Any], find_handler: Callable[[str], Any]
) -> None:
    resource = state.get("Resource")
    if resource not in {LAMBDA_INVOKE, LAMBDA_INVOKE_WAIT}:
        raise UnsupportedDefinition(
            f"{where}: field 'Resource' = {resource!r} is not supported "
            f"(supported: {LAMBDA_INVOKE}, {LAMBDA_INVOKE_WAIT})"
        )
    _check_lambda_arguments(where, state.get("Arguments"), find_handler)
    if resource == LAMBDA_INVOKE_WAIT and "Task.Token" not in json.dumps(state["Arguments"]):
        raise InvalidDefinition(
            f"{where}: a .waitForTaskToken task must pass "
            "$states.context.Task.Token in its Arguments"
        )
    for name in ("TimeoutSeconds", "HeartbeatSeconds"):
        if name in state and not (_positive_int(state[name]) or is_expression(state[name])):
            raise InvalidDefinition(f"{where}: {name} must be a positive integer or expression")
    timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
    if isinstance(timeout, int) and isinstance(heartbeat, int) and heartbeat >= timeout:
        raise InvalidDefinition(f"{where}: HeartbeatSeconds must be less than TimeoutSeconds")
    _check_retriers(where, state.get("Retry", []))
    _check_catchers(where, state.get("Catch", []), states)


def _check_lambda_arguments(where: str, arguments: Any, find_handler: Callable[[str], Any]) -> None:
    if is_expression(arguments):
        return  # checked when evaluated
    if not isinstance(arguments, dict) or "FunctionName" not in arguments:
        raise InvalidDefinition(f"{where}: Arguments must be an object with FunctionName")
    for key in arguments:
        if key not in _LAMBDA_ARGUMENTS:
            raise UnsupportedDefinition(
                f"{where}: field 'Arguments.{key}' is not supported "
                f"(supported: {sorted(_LAMBDA_ARGUMENTS)})"
            )
    function = arguments["FunctionName"]
    if not isinstance(function, str):
        raise InvalidDefinition(f"{where}: Arguments.FunctionName must be a string")
    if not is_expression(function) and find_handler(function) is None:
        raise InvalidDefinition(
            f"{where}: Lambda function {function!r} has no handler registered with the executor"
        )


def _check_retriers(where: str, retriers: Any) -> None:
    if not isinstance(retriers, list):
        raise InvalidDefinition(f"{where}: Retry must be an array")
    for index, retrier in enumerate(retriers):
        at = f"{where} Retry[{index}]"
        if not isinstance(retrier, dict):
            raise InvalidDefinition(f"{at}: must be an object")
        _only(retrier, _RETRY_FIELDS, at)
        _check_error_equals(at, retrier, last=index == len(retriers) - 1)
        checks = {
            "IntervalSeconds": _positive_int,
            "MaxAttempts": lambda v: is_int(v) and v >= 0,
            "BackoffRate": lambda v: (
                isinstance(v, int | float) and not isinstance(v, bool) and v >= 1.0
            ),
            "MaxDelaySeconds": _positive_int,
            "JitterStrategy": lambda v: v in {"FULL", "NONE"},
        }
        for name, ok in checks.items():
            if name in retrier and not ok(retrier[name]):
                raise InvalidDefinition(f"{at}: invalid {name} {retrier[name]!r}")


def _check_catchers(where: str, catchers: Any, states: dict[str, Any]) -> None:
    if not isinstance(catchers, list):
        raise InvalidDefinition(f"{where}: Catch must be an array")
    for index, catcher in enumerate(catchers):
        at = f"{where} Catch[{index}]"
        if not isinstance(catcher, dict):
            raise InvalidDefinition(f"{at}: must be an object")
        _only(catcher, _CATCH_FIELDS, at)
        _check_error_equals(at, catcher, last=index == len(catchers) - 1)
        _check_target(at, "Next", catcher.get("Next"), states)
        if "Assign" in catcher:
            _check_assign(at, catcher["Assign"])


def _check_error_equals(at: str, holder: dict[str, Any], *, last: bool) -> None:
    errors = holder.get("ErrorEquals")
    if not isinstance(errors, list) or not errors or not all(isinstance(e, str) for e in errors):
        raise InvalidDefinition(f"{at}: ErrorEquals must be a non-empty array of strings")
    if "States.ALL" in errors and (len(errors) != 1 or not last):
        raise InvalidDefinition(f"{at}: States.ALL must appear alone, in the last entry")


def _check_wait(where: str, state: dict[str, Any]) -> None:
    if ("Seconds" in state) == ("Timestamp" in state):
        raise InvalidDefinition(f"{where}: needs exactly one of Seconds or Timestamp")
    seconds, stamp = state.get("Seconds"), state.get("Timestamp")
    if (
        "Seconds" in state
        and not is_expression(seconds)
        and not (is_int(seconds) and isinstance(seconds, int) and 0 <= seconds <= 99_999_999)
    ):
        raise InvalidDefinition(f"{where}: Seconds must be an integer 0..99999999 or expression")
    if "Timestamp" in state and not is_expression(stamp):
        try:
            parse_timestamp(stamp)
        except ValueError as exc:
            raise InvalidDefinition(f"{where}: Timestamp: {exc}") from exc


def _check_choice(where: str, state: dict[str, Any], states: dict[str, Any]) -> None:
    rules = state.get("Choices")
    if not isinstance(rules, list) or not rules:
        raise InvalidDefinition(f"{where}: Choices must be a non-empty array")
    for index, rule in enumerate(rules):
        at = f"{where} Choices[{index}]"
        if not isinstance(rule, dict):
            raise InvalidDefinition(f"{at}: must be an object")
        _only(rule, _RULE_FIELDS, at)
        condition = rule.get("Condition")
        if not (isinstance(condition, bool) or is_expression(condition)):
            raise InvalidDefinition(f"{at}: Condition must be a {{% JSONata %}} expression")
        _check_target(at, "Next", rule.get("Next"), states)
        if "Assign" in rule:
            _check_assign(at, rule["Assign"])
    if "Default" in state:
        _check_target(where, "Default", state["Default"], states)


def _check_map(
    where: str, state: dict[str, Any], states: dict[str, Any], find_handler: Callable[[str], Any]
) -> None:
    """The Map state's own fields; its item processor is checked as a definition of its own
    (its states see neither the parent's states nor its variables)."""
    processor = state.get("ItemProcessor")
    if not isinstance(processor, dict):
        raise InvalidDefinition(f"{where}: ItemProcessor must be an object")
    _only(processor, _PROCESSOR_FIELDS, f"{where} ItemProcessor")
    config = processor.get("ProcessorConfig", {"Mode": "INLINE"})
    mode = config.get("Mode", "INLINE") if isinstance(config, dict) else None
    if mode not in ("INLINE", "DISTRIBUTED"):
        raise InvalidDefinition(f"{where}: ProcessorConfig.Mode must be INLINE or DISTRIBUTED")
    if mode == "DISTRIBUTED" and config.get("ExecutionType") != "STANDARD":
        raise UnsupportedDefinition(
            f"{where}: only ExecutionType STANDARD child workflows are supported")
    limit = state.get("MaxConcurrency", 0)
    if not (is_int(limit) and limit >= 0):
        raise InvalidDefinition(f"{where}: MaxConcurrency must be a non-negative integer")
    if mode == "DISTRIBUTED" and limit > MAX_DISTRIBUTED_CONCURRENCY:
        raise InvalidDefinition(f"{where}: MaxConcurrency of a Distributed Map is at most "
                                f"{MAX_DISTRIBUTED_CONCURRENCY}")
    share = state.get("ToleratedFailurePercentage", 0)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 100:
        raise InvalidDefinition(f"{where}: ToleratedFailurePercentage must be 0..100")
    count = state.get("ToleratedFailureCount", 0)
    if not (is_int(count) and count >= 0):
        raise InvalidDefinition(f"{where}: ToleratedFailureCount must be a non-negative integer")
    _check_catchers(where, state.get("Catch", []), states)
    validate_definition({"QueryLanguage": "JSONata", "StartAt": processor.get("StartAt"),
                         "States": processor.get("States")}, find_handler)


def _check_fail(where: str, state: dict[str, Any]) -> None:
    for name in ("Error", "Cause"):
        if name in state and not isinstance(state[name], str):
            raise InvalidDefinition(f"{where}: {name} must be a string or expression")


def _check_expressions(where: str, state: dict[str, Any]) -> None:
    """Compile every expression now (syntax errors fail at registration, as in AWS) and
    check ``$states.result``/``errorOutput`` are only used where they exist."""
    for path, text in _expressions(state, ""):
        if text.startswith("{%") != text.endswith("%}"):
            raise InvalidDefinition(
                f"{where}: {path}: a JSONata expression must start with '{{%' and end with '%}}'"
            )
        if not is_expression(text):
            continue
        try:
            compile_expression(text[2:-2])
        except Exception as exc:  # the parser raises several types
            raise InvalidDefinition(f"{where}: {path}: invalid JSONata: {exc}") from exc
        result_ok = state["Type"] in {"Task", "Map"} and path.split("/")[0] in {"Output",
                                                                                "Assign"}
        if "$states.result" in text and not result_ok:
            raise InvalidDefinition(
                f"{where}: {path}: $states.result is only available in the Output and Assign "
                "of a Task or a Map"
            )
        if "$states.errorOutput" in text and not path.startswith("Catch"):
            raise InvalidDefinition(
                f"{where}: {path}: $states.errorOutput is only available in a Catch"
            )


def _expressions(value: Any, path: str) -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key != "Comment":
                yield from _expressions(inner, f"{path}/{key}" if path else key)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _expressions(inner, f"{path}[{index}]")


def _check_reachable(start: str, states: dict[str, Any]) -> None:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        state = states[name]
        targets = [state.get("Next"), state.get("Default")]
        targets += [rule.get("Next") for rule in state.get("Choices", [])]
        targets += [catcher.get("Next") for catcher in state.get("Catch", [])]
        todo.extend(t for t in targets if isinstance(t, str))
    unreachable = sorted(set(states) - seen)
    if unreachable:
        raise InvalidDefinition(f"states not reachable from StartAt: {unreachable}")


def _positive_int(value: Any) -> bool:
    return is_int(value) and value >= 1
