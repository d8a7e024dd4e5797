"""JSONata in a state: evaluating a field, the ``$states`` binding with its context object,
Step Functions' extra functions, and Output/Assign."""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
import uuid
from collections.abc import Callable
from typing import Any

import jsonata
from jsonata.functions import Functions
from jsonata.utils import Utils

from tact.local.clock import VirtualClock
from tact.local.stepfunctions.errors import QueryError
from tact.local.stepfunctions.records import JSON, Run
from tact.local.stepfunctions.values import iso, json_copy


def is_expression(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value.startswith("{%")
        and value.endswith("%}")
        and len(value) >= 4
    )


@functools.lru_cache(maxsize=4096)
def compile_expression(text: str) -> jsonata.Jsonata:
    expression = jsonata.Jsonata(text)
    expression.set_output_convert_nulls(False)  # keep null apart from undefined
    return expression


_PLAIN_PATH = re.compile(r"\s*\$states((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*")


@functools.lru_cache(maxsize=4096)
def _plain_path(text: str) -> tuple[str, ...] | None:
    found = _PLAIN_PATH.fullmatch(text)
    return tuple(found.group(1)[1:].split(".")) if found else None


_PATH_EQUALS = re.compile(
    r"\s*\$states((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*=\s*(?:'([^'\\]*)'|\"([^\"\\]*)\")\s*")


@functools.lru_cache(maxsize=4096)
def _path_equals(text: str) -> tuple[tuple[str, ...], str] | None:
    """``$states.a.b = 'text'`` (a Choice on a Lambda's status): the path and the text."""
    found = _PATH_EQUALS.fullmatch(text)
    if not found:
        return None
    literal = found.group(2) if found.group(2) is not None else found.group(3)
    return tuple(found.group(1)[1:].split(".")), literal


def _walk(keys: tuple[str, ...], bindings: dict[str, Any]) -> Any:
    """``$states.a.b`` through objects only: what JSONata answers, without its evaluator (the
    hot path of every Task's Arguments). Anything else (arrays, missing keys, null, floats)
    returns ``_walk`` itself, meaning "ask JSONata"."""
    value: Any = bindings.get("states")
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return _walk
        value = value[key]
    if value is None or isinstance(value, list | float):
        return _walk
    return value


def evaluate(text: str, bindings: dict[str, Any], where: str) -> JSON:
    keys = _plain_path(text)
    if keys is not None:
        found = _walk(keys, bindings)
        if found is not _walk:
            return json_copy(found, "expression result", js_numbers=True)
    equals = _path_equals(text)
    if equals is not None:
        found = _walk(equals[0], bindings)
        if isinstance(found, str):  # string against string: JSONata's = is plain equality
            return found == equals[1]
    expression = compile_expression(text)
    # jsonata-python reads a thread-global "current expression" for higher-order functions.
    jsonata.Jsonata.CURRENT.jsonata = expression
    try:
        raw = expression.evaluate(None, bindings)
    except Exception as exc:  # any library failure is an evaluation error of this field
        raise QueryError(
            f"An error occurred while evaluating the expression '{text}' "
            f"specified for the field '{where}': {exc}"
        ) from exc
    if raw is None:
        raise QueryError(
            f"The JSONata expression '{text}' specified for the field '{where}' "
            "returned nothing (undefined)."
        )
    try:
        return json_copy(Utils.convert_nulls(raw), "expression result", js_numbers=True)
    except ValueError as exc:
        raise QueryError(
            f"The JSONata expression '{text}' specified for the field '{where}' "
            f"returned a value that is not JSON: {exc}"
        ) from exc


def resolve(template: JSON, bindings: dict[str, Any], where: str) -> JSON:
    """Evaluate a field: an expression string, or a JSON template with expressions inside."""
    if is_expression(template):
        return evaluate(template[2:-2], bindings, where)
    if isinstance(template, dict):
        return {key: resolve(value, bindings, f"{where}/{key}") for key, value in template.items()}
    if isinstance(template, list):
        return [resolve(value, bindings, f"{where}[{i}]") for i, value in enumerate(template)]
    return template


def sfn_functions(clock: VirtualClock, rng: Callable[[], random.Random]) -> dict[str, Any]:
    """Step Functions' extra JSONata functions, plus $now/$millis on virtual time; ``rng``
    gives the execution's random numbers."""

    def millis() -> int:
        return int(clock.now().timestamp() * 1000)

    def now(picture: str | None = None, timezone: str | None = None) -> str:
        return str(Functions.datetime_from_millis(millis(), picture, timezone))

    def partition(array: list[Any], size: int) -> list[list[Any]]:
        items, step = list(array), int(size)
        if step < 1:
            raise ValueError("$partition size must be >= 1")
        return [items[i : i + step] for i in range(0, len(items), step)]

    def range_(start: float, end: float, step: float = 1) -> list[int]:
        first, last, stride = int(start), int(end), int(step)
        if stride == 0:
            raise ValueError("$range step must not be 0")
        return list(range(first, last + (1 if stride > 0 else -1), stride))  # end inclusive

    def hash_(value: Any, algorithm: str) -> str:
        names = {
            "MD5": "md5",
            "SHA-1": "sha1",
            "SHA-256": "sha256",
            "SHA-384": "sha384",
            "SHA-512": "sha512",
        }
        if algorithm not in names:
            raise ValueError(f"$hash algorithm must be one of {sorted(names)}")
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        return hashlib.new(names[algorithm], text.encode()).hexdigest()

    def random_(seed: Any = None) -> float:
        return random.Random(seed).random() if seed is not None else rng().random()

    def uuid_() -> str:
        return str(uuid.UUID(int=rng().getrandbits(128), version=4))

    def parse(text: str) -> Any:
        return json.loads(text)

    def eval_(*_: Any) -> Any:
        raise ValueError("$eval is not supported in Step Functions")

    functions: dict[str, Callable[..., Any]] = {
        "now": now,
        "millis": millis,
        "partition": partition,
        "range": range_,
        "hash": hash_,
        "random": random_,
        "uuid": uuid_,
        "parse": parse,
        "eval": eval_,
    }
    return {name: jsonata.Jsonata.JLambda(fn) for name, fn in functions.items()}


def state_input(run: Run) -> JSON:
    assert run.cursor is not None
    return run.cursor.input


def states_binding(run: Run, **extra: JSON) -> dict[str, JSON]:
    """The ``$states`` binding: input, context, and result/errorOutput where available."""
    assert run.cursor is not None
    return {"input": run.cursor.input, "context": context_object(run), **extra}


def context_object(run: Run) -> dict[str, JSON]:
    assert run.cursor is not None
    ex, cursor = run.execution, run.cursor
    context: dict[str, JSON] = {
        "Execution": {
            "Id": ex.arn,
            "Name": ex.name,
            "Input": ex.input,
            "StartTime": iso(ex.start),
        },
        "State": {
            "Name": cursor.state,
            "EnteredTime": iso(cursor.entered),
            "RetryCount": sum(cursor.retries.values()),
        },
        "StateMachine": {"Id": run.machine.arn, "Name": run.machine.name},
    }
    if cursor.token is not None:
        context["Task"] = {"Token": cursor.token}
    return context


def bindings_for(run: Run, states: dict[str, JSON]) -> dict[str, Any]:
    bindings = dict(run.functions)
    for name, value in run.variables.items():
        # A top-level None binding reads as "undefined" in jsonata-python; JSON null is meant.
        bindings[name] = Utils.NULL_VALUE if value is None else value
    bindings["states"] = states
    return bindings


def output_and_assign(
    run: Run,
    holder: dict[str, Any],
    states: Callable[[], dict[str, JSON]],
    default: JSON,
    where: str,
) -> JSON:
    """Evaluate Output and Assign against the same, pre-state variables; then assign.

    ``states`` makes the ``$states`` binding: only called when the holder has either field
    (most Wait, Choice and Succeed states have neither)."""
    if "Output" not in holder and "Assign" not in holder:
        return default
    bindings = bindings_for(run, states())
    output = (
        resolve(holder["Output"], bindings, f"{where}Output")
        if "Output" in holder
        else default
    )
    assigned = {
        name: resolve(value, bindings, f"{where}Assign/{name}")
        for name, value in holder.get("Assign", {}).items()
    }
    run.variables.update(assigned)
    return output
