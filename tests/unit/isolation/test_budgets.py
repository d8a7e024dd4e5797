"""Finding 2 of issue 14: expressions and templates that never finish are stopped.

A condition with unbounded recursion ran for minutes (past ingest's 30 s timeout, failing every
batch it was in); a Liquid loop over a huge range likewise. Both now stop with an error of
their own kind, which the callers treat fail-safe (see tests/integration/isolation).
"""

from __future__ import annotations

import pytest

from tact.expressions import ExpressionError, evaluate
from tact.templates import TemplateError, render_text
from tests.support.timeguard import guard

RUNAWAY = [
    ("($f := function($n){ $f($n + 1) }; $f(1))", {"D1011", "D1012"}),  # tail call: time
    ("($f := function($n){ $n <= 1 ? 1 : $n * $f($n - 1) }; $f(100000))", {"D1011"}),
    ("$count([1..9999999][$ % 2 = 0])", {"D1012"}),
]


@pytest.mark.parametrize("text,codes", RUNAWAY, ids=["tail-recursion", "deep", "huge-range"])
def test_a_runaway_expression_is_stopped_by_its_budget(text: str, codes: set[str]) -> None:
    with guard(60), pytest.raises(ExpressionError) as raised:
        evaluate(text, {})
    assert raised.value.code in codes


def test_the_budget_restarts_for_every_evaluation(monkeypatch: pytest.MonkeyPatch) -> None:
    """jsonata-python's Timebox starts its clock when built: a cached compiled expression
    must not run out of time just because it was compiled long ago. The clock is virtual:
    compiled at 0 ms, each evaluation starts 10 s (40 budgets) later and takes no time."""
    from jsonata.timebox import Timebox

    now = [0]
    monkeypatch.setattr(Timebox, "current_milli_time", staticmethod(lambda: now[0]))
    text = "($restarts := function($n){ $n <= 1 ? 1 : $n * $restarts($n - 1) }; $restarts(20))"
    for _ in range(3):
        now[0] += 10_000
        assert evaluate(text, {}) == 2432902008176640000


@pytest.mark.parametrize("source", [
    "{% for i in (1..99999999) %}x{% endfor %}",
    "{% for i in (1..999) %}{% for j in (1..999) %}x{% endfor %}{% endfor %}",
    "{% assign s = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' %}"
    "{% for i in (1..900) %}{{ s }}{{ s }}{{ s }}{{ s }}{{ s }}{{ s }}{% endfor %}",
], ids=["huge-loop", "nested-loops", "huge-output"])
def test_a_template_that_would_run_away_is_stopped(source: str) -> None:
    with guard(60), pytest.raises(TemplateError, match="limit"):
        render_text(source, {})
