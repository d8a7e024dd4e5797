"""The Map state: Inline and Distributed, items from ``Items``.

What is supported is run with Step Functions' semantics; anything else is refused when the
definition is registered (``definition.check_map``), like every other unsupported field:

* ``Items`` (a JSONata array; default: the state input), ``ItemSelector`` (sees
  ``$states.context.Map.Item.Index``/``Value``), ``ItemProcessor`` with ``ProcessorConfig``
  ``Mode`` ``INLINE`` or ``DISTRIBUTED`` (``ExecutionType`` ``STANDARD``).
* Each item runs as a child execution of the processor's states (a Distributed Map's child
  workflow execution), on the same virtual clock, with its own variables (a child workflow
  cannot read the parent's). At most ``MaxConcurrency`` run at once (0: all).
* The result is the children's outputs in item order. When more children fail than
  ``ToleratedFailureCount``/``ToleratedFailurePercentage`` allow (default: none), the others
  are stopped and the state fails with ``States.ExceedToleratedFailureThreshold``, which
  ``Catch`` may handle. ``Output`` and ``Assign`` see ``$states.result``.
* Refused: ``ItemReader``, ``ItemBatcher``, ``ResultWriter``, ``Retry`` on the Map.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tact.local.clock import VirtualClock
from tact.local.stepfunctions.errors import QUERY_ERROR, QueryError
from tact.local.stepfunctions.jsonata_context import (
    bindings_for,
    context_object,
    output_and_assign,
    resolve,
    states_binding,
)
from tact.local.stepfunctions.records import PARK, Go, Handler, Machine, Outcome, Run
from tact.local.stepfunctions.retry import RetryAndCatch
from tact.local.stepfunctions.values import json_copy, next_state

FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"


def processor_definition(state: dict[str, Any]) -> dict[str, Any]:
    processor = state["ItemProcessor"]
    return {"QueryLanguage": "JSONata", "StartAt": processor.get("StartAt"),
            "States": processor.get("States")}


@dataclass
class MapRun:
    """One Map state's run: its children, how many are done, and their outputs."""

    parent: Run
    state: dict[str, Any]
    epoch: int
    machine: Machine  # the item processor's states, as a state machine of its own
    inputs: list[Any]
    concurrency: int
    tolerated: int
    results: list[Any] = field(default_factory=list)
    started: int = 0
    finished: int = 0
    failed: int = 0
    children: list[str] = field(default_factory=list)
    over: bool = False


class MapState(RetryAndCatch):
    """Runs each item as a child execution and resumes the parent when all are done."""

    def __init__(self, clock: VirtualClock, functions: Mapping[str, Handler]) -> None:
        super().__init__(clock, functions)
        self._maps: dict[str, MapRun] = {}  # child execution ARN -> its map run
        self._map_machines: dict[tuple[str, str], Machine] = {}

    def _map(self, run: Run, state: dict[str, Any]) -> Outcome:
        assert run.cursor is not None
        bindings = bindings_for(run, states_binding(run))
        items = resolve(state["Items"], bindings, "Items") if "Items" in state else (
            run.cursor.input)
        if not isinstance(items, list):
            raise QueryError(f"the field 'Items' must be an array, got {type(items).__name__}")
        inputs = [self._item_input(run, state, index, value) for index, value in
                  enumerate(items)]
        run.epoch += 1
        job = MapRun(run, state, run.epoch, self._processor(run, state), inputs,
                     int(state.get("MaxConcurrency", 0)) or len(inputs) or 1,
                     _tolerated(state, len(inputs)), results=[None] * len(inputs))
        self._record(run, "MapRunStarted", {"items": len(inputs)})
        if not inputs:
            return self._map_done(job)
        for _ in range(min(job.concurrency, len(inputs))):
            self._start_child(job)
        return PARK

    def _item_input(self, run: Run, state: dict[str, Any], index: int, value: Any) -> Any:
        if "ItemSelector" not in state:
            return value
        assert run.cursor is not None
        context = {**context_object(run), "Map": {"Item": {"Index": index, "Value": value}}}
        bindings = bindings_for(run, {"input": run.cursor.input, "context": context})
        return resolve(state["ItemSelector"], bindings, "ItemSelector")

    def _processor(self, run: Run, state: dict[str, Any]) -> Machine:
        assert run.cursor is not None
        key = (run.machine.arn, run.cursor.state)
        found = self._map_machines.get(key)
        if found is None:
            base = f"{run.machine.base_arn}/{run.cursor.state}"
            found = Machine(base, base, f"{run.machine.name}/{run.cursor.state}",
                            run.machine.region, run.machine.account, processor_definition(state))
            self._map_machines[key] = found
        return found

    def _start_child(self, job: MapRun) -> None:
        index = job.started
        job.started += 1
        name = f"{job.parent.execution.name}-{job.epoch}-{index}"
        arn = (f"arn:aws:states:{job.machine.region}:{job.machine.account}:execution:"
               f"{job.machine.name}:{name}")
        document = json_copy(job.inputs[index], "item")
        child = self._new_run(arn, name, job.machine, document)
        self._runs[arn] = child
        self._maps[arn] = job
        job.children.append(arn)
        self._record(child, "ExecutionStarted", {"input": document})
        start = job.machine.definition["StartAt"]
        self._submit(functools.partial(
            self._drive, child, functools.partial(self._enter, child, start, document)))

    def _execution_ended(self, run: Run) -> None:
        """Any execution ended: a parent's children stop; a child reports to its map run."""
        for child_of_run in list({id(j): j for j in self._maps.values()
                                  if j.parent is run}.values()):
            child_of_run.over = True
            self._stop_children(child_of_run)
        job = self._maps.pop(run.execution.arn, None)
        if job is None or job.over:
            return
        job.finished += 1
        if run.execution.status == "SUCCEEDED":
            job.results[job.children.index(run.execution.arn)] = run.execution.output
        else:
            job.failed += 1
        if job.failed > job.tolerated:
            job.over = True
            self._stop_children(job)
            self._resume_map(job, failed=True)
        elif job.started < len(job.inputs):
            self._start_child(job)
        elif job.finished == len(job.inputs):
            job.over = True
            self._resume_map(job, failed=False)

    def _stop_children(self, job: MapRun) -> None:
        for arn in job.children:
            child = self._runs.get(arn)
            if child is not None and child.execution.status == "RUNNING":
                self._maps.pop(arn, None)
                self._finish(child, "ABORTED", cause="the map run ended")

    def _resume_map(self, job: MapRun, *, failed: bool) -> None:
        step = functools.partial(self._map_failed if failed else self._map_done, job)
        self._submit(functools.partial(self._resume, job.parent, job.epoch, step))

    def _map_failed(self, job: MapRun) -> Outcome:
        self._record(job.parent, "MapRunFailed", {"failed": job.failed})
        cause = (f"{job.failed} of {len(job.inputs)} items failed; at most {job.tolerated} "
                 "may (ToleratedFailureCount/ToleratedFailurePercentage)")
        return self._task_error(job.parent, job.state, FAILURE_THRESHOLD, cause)

    def _map_done(self, job: MapRun) -> Outcome:
        run, state = job.parent, job.state
        self._record(run, "MapRunSucceeded", {"items": len(job.inputs)})
        try:
            states = functools.partial(states_binding, run, result=job.results)
            output = output_and_assign(run, state, states, job.results, "")
        except QueryError as exc:
            return self._task_error(run, state, QUERY_ERROR, exc.cause)
        return Go(next_state(state), output)


def _tolerated(state: dict[str, Any], items: int) -> int:
    """Failures allowed: the map fails when either threshold is exceeded; none given: none."""
    limits = []
    if "ToleratedFailureCount" in state:
        limits.append(int(state["ToleratedFailureCount"]))
    if "ToleratedFailurePercentage" in state:
        limits.append(math.floor(items * float(state["ToleratedFailurePercentage"]) / 100))
    return min(limits) if limits else 0
