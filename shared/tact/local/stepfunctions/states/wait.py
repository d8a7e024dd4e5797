"""The Wait state: Seconds or Timestamp, on the virtual clock."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from tact.local.stepfunctions.errors import QueryError
from tact.local.stepfunctions.jsonata_context import bindings_for, resolve, states_binding
from tact.local.stepfunctions.records import Outcome, Run
from tact.local.stepfunctions.states.simple import SimpleStates
from tact.local.stepfunctions.values import is_int, iso, parse_timestamp


class WaitState(SimpleStates):
    """Parks until the time, then acts as a Pass."""

    def _wait(self, run: Run, state: dict[str, Any]) -> Outcome:
        until = self._wait_until(state, bindings_for(run, states_binding(run)))
        done = functools.partial(self._pass, run, state)  # after waiting, a Wait acts as a Pass
        if until <= self.clock.now():
            return done()
        self._record(run, "WaitScheduled", {"until": iso(until)})
        return self._park_until(run, until, done)

    def _wait_until(self, state: dict[str, Any], bindings: dict[str, Any]) -> datetime:
        if "Seconds" in state:
            seconds = resolve(state["Seconds"], bindings, "Seconds")
            if not is_int(seconds) or not 0 <= seconds <= 99_999_999:
                raise QueryError(
                    f"the field 'Seconds' must be an integer 0..99999999, got {seconds!r}"
                )
            return self.clock.now() + timedelta(seconds=seconds)
        stamp = resolve(state["Timestamp"], bindings, "Timestamp")
        try:
            return parse_timestamp(stamp)
        except ValueError as exc:
            raise QueryError(f"the field 'Timestamp': {exc}") from exc
