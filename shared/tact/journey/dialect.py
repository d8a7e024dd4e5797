"""JSONata as jsonata-python runs it versus JSONata 2.0.6: what `tact validate` refuses.

Journey conditions are evaluated by Tact's Lambdas with jsonata-python, locally and deployed
alike. Where it accepts something JSONata 2.0.6 (the JavaScript reference) does not, an
expression would mean one thing here and another in every JSONata tool a marketer checks it
with; those constructs are refused. The differences that depend on data are documented in
docs/journeys.md ("JSONata: jsonata-python and JSONata 2.0.6").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tact.diagnostics import Diagnostic
from tact.journey.model import Branch, GoalStep, Journey, SplitStep, WaitStep

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
# JSONata 2.0.6 answers both with a syntax error (S0211); jsonata-python evaluates them.
_NOT_IN_2_0_6 = {
    "?:": "use a condition: `x ? x : default` (the Elvis operator `?:` is not JSONata 2.0.6)",
    "??": "use `$exists(x) ? x : default` (`??` is not JSONata 2.0.6)",
}


def expressions(journey: Journey) -> Iterator[tuple[tuple[Any, ...], str]]:
    from tact.journey.guardrails import step_paths

    if journey.trigger.when:
        yield ("trigger", "when"), journey.trigger.when
    for index, rule in enumerate(journey.exit_on):
        if rule.when:
            yield ("exit_on", index, "when"), rule.when
    for loc, step in step_paths(journey.steps):
        if isinstance(step, SplitStep):
            for b, branch in enumerate(step.split):
                if isinstance(branch, Branch):
                    yield (*loc, "split", b, "if"), branch.if_
        elif isinstance(step, WaitStep) and step.wait.until and not step.wait.until_time_of_day():
            yield (*loc, "wait", "until"), step.wait.until
        elif isinstance(step, GoalStep) and step.goal.when:
            yield (*loc, "goal", "when"), step.goal.when
        elif getattr(step, "wait_for", None) is not None and step.wait_for.when:
            yield (*loc, "wait_for", "when"), step.wait_for.when


def check_dialect(journey: Journey, doc: Any, out: list[Diagnostic]) -> None:
    for loc, text in expressions(journey):
        blanked = _STRING.sub(lambda m: " " * len(m.group(0)), text)
        for operator, hint in _NOT_IN_2_0_6.items():
            offset = blanked.find(operator)
            if offset >= 0:
                line, col = doc.locate_in_value(loc, offset, text)
                out.append(Diagnostic(str(doc.path), line, col,
                                      f"`{operator}` means something here (jsonata-python) but "
                                      "is a syntax error in JSONata 2.0.6", hint))
