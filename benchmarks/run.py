"""``make bench``: one line per figure, ``name value  (target; how measured)``.

``make bench BENCH="dynamodb imports"`` runs some; ``BENCH_MEMORY_CUSTOMERS`` and
``BENCH_MOTO_CUSTOMERS`` change the simulated populations (10,000 and 500).

Figures: dynamodb_requests_per_send, handler_import_ratio and
handler_first_call_import_ratio (per function; see :func:`handler_import_ratio`),
simulate_customers_per_s (in-memory store and moto), simulate_cli_seconds (``tact simulate``
with default options on 2,000 generated customers over 7 days), transitions_per_entry (per journey),
next_best_hit_rate_at_5 / popularity_hit_rate_at_5 / propensity_brier / base_rate_brier
(``BENCH=nbp``; ``BENCH_NBP_CUSTOMERS``, default 20,000), broadcast_segment_customers_per_s
and broadcast_plan_seconds (``BENCH=broadcast``; ``BENCH_BROADCAST_CUSTOMERS``, default
100,000), hostile_validate_seconds (``BENCH=hostile``), and whatever
``benchmarks/bench_backtest.py``'s ``run()`` reports, and report_records_per_s
(``BENCH=report``, ``benchmarks/bench_report.py``: its set-up replays 100,000 customers, so it
runs last). On request only (tens of minutes): ``BENCH=scale`` (``benchmarks/bench_scale.py``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
JOURNEYS = ROOT / "journeys"
FUNCTIONS = ROOT / "functions"
EXAMPLE = JOURNEYS / "examples" / "abandoned_cart.events.jsonl"

Figure = tuple[str, float, str]


def emit(name: str, value: float, note: str) -> None:
    shown = f"{value:.2f}" if isinstance(value, float) and not value.is_integer() else f"{value:g}"
    print(f"{name} {shown}  ({note})", flush=True)


# --------------------------------------------------------------------------- DynamoDB per send


@contextmanager
def _dynamodb_calls(each: Callable[[], None] | None = None) -> Iterator[list[str]]:
    """Every DynamoDB API call of clients created inside the block (botocore event hook);
    ``each`` is called on every one too."""
    from botocore.handlers import BUILTIN_HANDLERS

    calls: list[str] = []

    def seen(event_name: str, **_: Any) -> None:
        calls.append(event_name.rsplit(".", 1)[-1])
        if each is not None:
            each()

    entry = ("before-call.dynamodb.*", seen)
    BUILTIN_HANDLERS.append(entry)
    try:
        yield calls
    finally:
        BUILTIN_HANDLERS.remove(entry)


def _count_requests(journeys: Path, events_file: Path,
                    counted: dict[str, list[tuple[str, int]]]) -> tuple[int, int]:
    """Simulate ``events_file`` on moto; append (label, DynamoDB requests) per invocation of
    the send (label: its status) and ingest (label: the event's type) handlers to ``counted``.
    A request counts for the innermost handler running: the local executor may run a started
    execution's first steps (other Lambdas) inside the ingest invocation that started it.
    Returns (messages sent, requests in the whole run)."""
    from tact.local import simulator
    from tact.local.simulator import Simulation, read_events

    real_load = simulator.load_handler
    running: list[list[int]] = []  # one counter per handler invocation in progress

    def load_handler(functions_dir: Path, name: str) -> Callable[..., Any]:
        handler = real_load(functions_dir, name)

        def wrapped(payload: dict[str, Any], context: Any) -> Any:
            mine = [0]
            running.append(mine)
            try:
                result = handler(payload, context)
            finally:
                running.pop()
            if name == "send":
                counted[name].append((result.get("status", "?"), mine[0]))
            elif name == "ingest":
                kind = json.loads(payload["Records"][0]["body"])["detail-type"]
                counted[name].append((kind, mine[0]))
            return result
        return wrapped

    def count() -> None:
        if running:
            running[-1][0] += 1

    events, _ = read_events(events_file)
    simulator.load_handler = load_handler  # type: ignore[assignment]
    try:
        with _dynamodb_calls(count) as calls:
            report = Simulation(journeys, store="moto").run(events)
    finally:
        simulator.load_handler = real_load  # type: ignore[assignment]
    return len(report.messages), len(calls)


def dynamodb_requests_per_send() -> list[Figure]:
    """DynamoDB requests made inside send invocations that dispatched a message, per message,
    while ``tact simulate`` replays the abandoned-cart example on moto; and inside ingest
    invocations, per event, over every example's events."""
    counted: dict[str, list[tuple[str, int]]] = {"send": [], "ingest": []}
    messages, whole = _count_requests(JOURNEYS, EXAMPLE, counted)
    dispatched = [n for status, n in counted["send"] if status == "sent"]
    others = [n for status, n in counted["send"] if status != "sent"]
    ratio = sum(dispatched) / max(len(dispatched), 1)
    figures = [("dynamodb_requests_per_send", ratio,
                f"target <= 2; {sum(dispatched)} requests in {len(dispatched)} dispatching send "
                f"invocations on moto, abandoned-cart example; {messages} messages; "
                f"not-sent decisions cost {sum(others)} requests in {len(others)} invocations; "
                f"whole run incl. ingest: {whole}")]
    ingest: list[tuple[str, int]] = []
    for events_file in sorted((JOURNEYS / "examples").glob("*.events.jsonl")):
        per_file: dict[str, list[tuple[str, int]]] = {"send": [], "ingest": []}
        _count_requests(JOURNEYS / "examples", events_file, per_file)
        ingest += per_file["ingest"]
    by_type: dict[str, list[int]] = {}
    for kind, n in ingest:
        by_type.setdefault(kind, []).append(n)
    breakdown = ", ".join(f"{kind} {sum(ns) / len(ns):.2f} (max {max(ns)})"
                          for kind, ns in sorted(by_type.items()))
    figures.append(("dynamodb_requests_per_event",
                    sum(n for _, n in ingest) / max(len(ingest), 1),
                    f"target <= 2 on the common path; {sum(n for _, n in ingest)} requests in "
                    f"{len(ingest)} ingest invocations (one event each) over every example's "
                    f"events on moto; by type: {breakdown}"))
    return figures


# --------------------------------------------------------------------------- cold imports


def _wall(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _first_call_modules(function: str, env: dict[str, str]) -> list[str]:
    """What ``function``'s first invocations import beyond ``import app``: the modules
    benchmarks/first_call.py sees its code ask for while it handles representative events on
    moto (one process per function, every cache of the package emptied before it runs)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "modules.json"
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "first_call.py"), function,
                        str(out)], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        modules: list[str] = json.loads(out.read_text(encoding="utf-8"))
    return modules


def _deployed_runtime_environment() -> dict[str, str]:
    """The template's variables for every function that change how Python or a library
    imports (e.g. ``PYDANTIC_DISABLE_PLUGINS``), so the cold path is timed as deployed."""
    from tact.infra_gen import load_template

    variables = load_template(ROOT / "template.yaml")["Globals"]["Function"]["Environment"][
        "Variables"]
    return {name: str(value) for name, value in variables.items()
            if name.startswith("PYDANTIC_") and isinstance(value, str)}


def handler_import_ratio(pairs: int = 10) -> list[Figure]:
    """Per function, fresh processes in the function's folder, interleaved, the median ratio
    of ``pairs`` rounds (after one round that warms the file cache):

    - ``handler_import_ratio``: ``import app`` ÷ ``import boto3``;
    - ``handler_first_call_import_ratio``: the cold path ÷ ``import boto3``, where the cold path
      is ``import app`` followed by importing every module the function's first invocations
      import (found by benchmarks/first_call.py: the handler invoked on moto with
      representative events, the deployed wiring, nothing cached). Lazy imports anywhere
      (handler, runtime builders, templates, channels, filters) count: they are paid on a cold
      container's first invocation all the same. Object construction (clients, the bundle) is
      not counted; module imports are.

    Floors are printed beside them: ``stack_import_ratio``, what every function imports before
    any Tact code (boto3, pydantic's ``BaseModel``, Powertools' ``Logger`` and ``Metrics``);
    ``stack_plus_import_ratio[...]``, that plus one library some functions' cold paths add
    (python-liquid, jsonata-python, Powertools' batch utility); for the model function (the
    daily fit) ``numpy_import_ratio`` and
    ``scipy_optimize_import_ratio``, ``import numpy`` and ``import scipy.optimize`` alone.
    The processes get the template's ``PYDANTIC_*`` variables, as deployed. Tracing is off
    (``POWERTOOLS_TRACE_DISABLED``): with it on, the X-Ray SDK adds its import.

    Bytecode: whether ``.pyc`` files exist changes the figures a lot (the model function's
    doubled between a venv that ran the tests, with bytecode for what they imported, and a
    fresh one with none), so the processes
    read and write bytecode only in a private, empty cache (``PYTHONPYCACHEPREFIX``). With
    ``BENCH_IMPORTS_BYTECODE=compiled`` (the default) the round that warms the file cache
    compiles everything once and the timed rounds read bytecode, as a deployment that ships
    it would; with ``source`` nothing is ever compiled ahead, as today's TactLayer and model
    function (built ``--no-compile``) load: every cold start compiles every module (here the
    standard library's too, which Lambda's runtime ships compiled)."""
    import tempfile

    bytecode = os.environ.get("BENCH_IMPORTS_BYTECODE", "compiled")
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env.update({"AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true",
                    "PYTHONPYCACHEPREFIX": cache, **_deployed_runtime_environment()})
        if bytecode == "source":
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        return [(name, value, f"{note}; bytecode {bytecode}")
                for name, value, note in _import_ratios(env, pairs)]


def _import_ratios(env: dict[str, str], pairs: int) -> list[Figure]:
    floors = _median_ratios(FUNCTIONS, [STACK, *LIBRARY_FLOORS.values()], env, pairs)
    stack = floors[STACK]
    figures: list[Figure] = [("stack_import_ratio", stack, (
        "the floor under every function: boto3, pydantic's BaseModel and Powertools' Logger "
        f"and Metrics, before any Tact code; {_measured(pairs)}"))]
    figures += [(f"stack_plus_import_ratio[{name}]", floors[code], (
        f"the floor plus {name} alone, a library the project chose for the job, before any "
        f"Tact code; {_measured(pairs)}")) for name, code in LIBRARY_FLOORS.items()]
    for app in sorted(FUNCTIONS.glob("*/app.py")):
        folder = app.parent
        first_call = _first_call_modules(folder.name, env)
        cold = "; ".join(["import app", *(f"import {name}" for name in first_call)])
        codes = ["import app", cold, *(MODEL_FLOORS if folder.name == "model" else [])]
        ratios = _median_ratios(folder, codes, env, pairs)
        target = (f"target <= 1.3 (floor {stack:.2f}; numpy alone {ratios[MODEL_FLOORS[0]]:.2f},"
                  f" scipy.optimize alone {ratios[MODEL_FLOORS[1]]:.2f})"
                  if folder.name == "model" else f"target <= 1.3 (floor {stack:.2f})")
        figures.append((f"handler_import_ratio[{folder.name}]", ratios["import app"],
                        f"{target}; {_measured(pairs)}"))
        figures.append((f"handler_first_call_import_ratio[{folder.name}]", ratios[cold],
                        f"{target}; import app + the {len(first_call)} modules its first "
                        f"invocations import; {_measured(pairs)}"))
        if folder.name == "model":
            figures.append(("numpy_import_ratio", ratios[MODEL_FLOORS[0]],
                            "import numpy alone: under the model function's cold path, the "
                            f"daily fit's arrays; {_measured(pairs)}"))
            figures.append(("scipy_optimize_import_ratio", ratios[MODEL_FLOORS[1]],
                            "import scipy.optimize alone (numpy with it): the fit's L-BFGS-B; "
                            "any scipy.optimize import loads the whole subpackage (sparse, "
                            f"linalg); {_measured(pairs)}"))
    return figures


MODEL_FLOORS = ["import numpy", "import scipy.optimize"]
STACK = ("import boto3; from pydantic import BaseModel; "
         "from aws_lambda_powertools import Logger, Metrics")
# The libraries some functions add on their cold path: templates (send, broadcast_send),
# conditions (ingest, decide), SQS partial batch responses (ingest, ses_events...).
LIBRARY_FLOORS = {
    "python-liquid": f"{STACK}; import liquid",
    "jsonata-python": f"{STACK}; import jsonata",
    "powertools-batch": f"{STACK}; from aws_lambda_powertools.utilities.batch import "
                        "BatchProcessor",
}


def _median_ratios(folder: Path, codes: list[str], env: dict[str, str],
                   pairs: int) -> dict[str, float]:
    """Each code's wall time ÷ a fresh ``import boto3``'s, run in turn, median of ``pairs``
    rounds after one that warms the file cache."""
    found: dict[str, list[float]] = {code: [] for code in codes}
    for n in range(pairs + 1):
        baseline = _wall([sys.executable, "-c", "import boto3"], folder, env)
        for code in codes:
            seconds = _wall([sys.executable, "-c", code], folder, env)
            if n:
                found[code].append(seconds / baseline)
    return {code: statistics.median(ratios) for code, ratios in found.items()}


def _measured(pairs: int) -> str:
    return (f"median of {pairs} interleaved rounds, load average {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} CPUs")


# --------------------------------------------------------------------------- simulate rate


def _traffic(customers: int, days: float = 7, seed: int = 7) -> list[dict[str, Any]]:
    from tact.generate.traffic import generate

    return generate(customers, days, seed)


def _simulate_rate(store: str, customers: int, target: str,
                   per_world: int | None = None) -> Iterator[Figure]:
    """Customers per second through ``Simulation.run``; ``per_world`` splits the population
    into independent worlds of that many customers (customers share nothing)."""
    from tact.local.simulator import Simulation

    events = _traffic(customers)
    by_customer: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        by_customer.setdefault(e["customer_id"], []).append(e)
    ids = list(by_customer)
    size = per_world or len(ids) or 1
    worlds = [sorted((e for c in ids[i:i + size] for e in by_customer[c]),
                     key=lambda e: (e["time"], e["customer_id"], e["id"]))
              for i in range(0, len(ids), size)]
    messages, seconds = 0, 0.0
    for world in worlds:
        start = time.perf_counter()
        report = Simulation(JOURNEYS, store=store).run(world)  # type: ignore[arg-type]
        seconds += time.perf_counter() - start
        messages += len(report.messages)
    split = f"{len(worlds)} worlds of {size} customers, " if per_world else ""
    yield (f"simulate_customers_per_s[{store}]", customers / seconds,
           f"{target}; {customers} generated customers over 7 days, {len(events)} events, "
           f"{split}{messages} messages, {seconds:.1f} s, one process, "
           f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def simulate_customers_per_s() -> Iterator[Figure]:
    """The abandoned cart on the in-memory store (10,000 customers by default)."""
    customers = int(os.environ.get("BENCH_MEMORY_CUSTOMERS", "10000"))
    yield from _simulate_rate("memory", customers, "target >= 2000")


def simulate_customers_per_s_moto() -> Iterator[Figure]:
    """The same on moto, for comparison (500 by default). moto copies the whole table on every
    transaction, so one world of 500 grows quadratically (it ran out of memory here): the
    customers go through worlds of 10, as ``tact backtest`` shards them."""
    customers = int(os.environ.get("BENCH_MOTO_CUSTOMERS", "500"))
    yield from _simulate_rate("moto", customers, "for comparison", per_world=10)


def simulate_cli_seconds() -> list[Figure]:
    """Issue 15 acceptance 4: ``tact simulate --events FILE`` with default options (the
    in-memory store, the journeys folder) on 2,000 generated customers over 7 days, wall
    seconds of the whole command as a marketer runs it (``BENCH_CLI_CUSTOMERS``)."""
    import tempfile

    customers = int(os.environ.get("BENCH_CLI_CUSTOMERS", "2000"))
    tact = str(Path(sys.executable).with_name("tact"))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        events = Path(tmp) / "events.jsonl"
        subprocess.run([tact, "generate-events", "--customers", str(customers), "--days", "7",
                        "--out", str(events)], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lines = sum(1 for _ in events.open(encoding="utf-8"))
        seconds = _wall([tact, "simulate", "--events", str(events), "--save-run",
                         str(Path(tmp) / "run.json")], ROOT, env)
    return [("simulate_cli_seconds", round(seconds, 1),
             f"target < 60; `tact simulate` default options, {customers} generated customers "
             f"over 7 days, {lines} events, load average {os.getloadavg()[0]:.1f} on "
             f"{os.cpu_count()} CPUs")]


# --------------------------------------------------------------------------- transitions


def _longest(states: dict[str, dict[str, Any]], name: str, seen: frozenset[str]) -> int:
    state = states[name]
    if state["Type"] in ("Succeed", "Fail") or state.get("End"):
        return 1
    nexts = {state.get("Next"), state.get("Default")}
    nexts |= {c["Next"] for c in state.get("Choices", [])}
    nexts |= {c["Next"] for c in state.get("Catch", [])}
    best = 0
    for nxt in nexts - {None} - seen:
        best = max(best, _longest(states, nxt, seen | {nxt}))  # type: ignore[arg-type]
    return 1 + best if best else 0  # 0: no acyclic way to a terminal state from here


def transitions_per_entry() -> list[Figure]:
    """States on the longest acyclic path from StartAt to a terminal state, per journey."""
    from tact.journey.bundle_builder import build
    from tact.journey.project import load_project, require_valid

    _, definitions = build(require_valid(load_project(JOURNEYS)))
    figures: list[Figure] = []
    for journey, definition in sorted(definitions.items()):
        start = definition["StartAt"]
        count = _longest(definition["States"], start, frozenset({start}))
        target = "target <= 7" if journey == "abandoned_cart" else "no target"
        figures.append((f"transitions_per_entry[{journey}]", count,
                        f"{target}; compiled definition, {len(definition['States'])} states"))
    return figures


# --------------------------------------------------------------------------- next best, propensity


def next_best_and_propensity() -> list[Figure]:
    """``tact backtest --holdout-days 14`` on a generated 20,000-customer, 60-day history:
    the models fitted on the first 46 days against their baselines on the last 14."""
    from tact.recommend.evaluate import holdout

    customers = int(os.environ.get("BENCH_NBP_CUSTOMERS", "20000"))
    events = _traffic(customers, days=60, seed=1)
    report = holdout(events, holdout_days=14)
    hit, pop = report.next_best_hit_rate_at_5, report.popularity_hit_rate_at_5
    brier, base = report.propensity_brier, report.base_rate_brier
    where = f"{customers} generated customers, 60 days, last 14 held out"
    return [
        ("next_best_hit_rate_at_5", hit,
         f"target > popularity; {report.next_best_customers} customers who bought something "
         f"new to them in the holdout; {hit - pop:+.3f} over popularity; {where}"),
        ("popularity_hit_rate_at_5", pop, "baseline: the 5 best sellers they had not bought"),
        ("propensity_brier", brier,
         f"target < base rate; BG/NBD P(purchase in 14 d) of {report.buyers} buyers; "
         f"{brier:.4f} vs {base:.4f}, {(base - brier) / base:.1%} below the base rate's"),
        ("base_rate_brier", base,
         f"baseline: the holdout's own purchase rate {report.base_rate:.3f} for everyone"),
    ]


# --------------------------------------------------------------------------- backtest


def _figures_of(filename: str) -> list[Figure]:
    """``run()`` of a benchmark module beside this file."""
    path = Path(__file__).with_name(filename)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        return []
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.run())


def backtest() -> list[Figure]:
    return _figures_of("bench_backtest.py")


def scale() -> list[Figure]:
    return _figures_of("bench_scale.py")


def report() -> list[Figure]:
    return _figures_of("bench_report.py")


# --------------------------------------------------------------------------- broadcast


def broadcast_segment() -> list[Figure]:
    """``tact broadcast plan`` of the example broadcast on a generated history (100,000
    customers, 7 days by default): the whole command's time from the file (issue 17: under
    a minute), and the rate of the segment and exclusion decisions alone."""
    import tempfile

    from tact.broadcast.commands import find, from_history, run_plan, start_of
    from tact.generate import write_jsonl
    from tact.journey.project import load_project, require_valid

    customers = int(os.environ.get("BENCH_BROADCAST_CUSTOMERS", "100000"))
    project = require_valid(load_project(JOURNEYS / "examples"))
    broadcast = find(project, "autumn_range")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            write_jsonl(_traffic(customers, days=7, seed=1), handle)
        began = time.perf_counter()
        states, _ = from_history(path, start_of(project, broadcast))
        folded = time.perf_counter()
        plan = run_plan(project, broadcast, states)
        done = time.perf_counter()
    where = (f"example autumn_range on {customers} generated customers over 7 days; "
             f"{plan.customers} known at its first wave, {plan.audience} in the segment, "
             f"{plan.sends} would be sent, {sum(plan.excluded.values())} excluded; "
             f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return [
        ("broadcast_segment_customers_per_s", round(plan.customers / (done - folded), 1),
         f"segment, holdout, consent, suppression and cap decisions per known customer, "
         f"{done - folded:.1f} s; {where}"),
        ("broadcast_plan_seconds", round(done - began, 1),
         f"target < 60; reading and folding the history ({folded - began:.1f} s) and "
         f"planning; {where}"),
    ]


def hostile_validate_seconds() -> Iterable[Figure]:
    """`tact validate` (a fresh process, as a marketer runs it) on each hostile file of the
    corpus (tests/e2e/isolation/hostile), in a copy of the example project: the slowest."""
    import tempfile

    sys.path.insert(0, str(ROOT))
    from tests.support.corpus import cases, place

    times: dict[str, float] = {}
    for case in cases(ROOT / "tests" / "e2e" / "isolation" / "hostile"):
        with tempfile.TemporaryDirectory() as tmp:
            place(Path(tmp), case)
            began = time.perf_counter()
            subprocess.run([str(Path(sys.executable).parent / "tact"), "validate", tmp],
                           capture_output=True, check=False, timeout=300)
            times[case.name] = time.perf_counter() - began
    slowest = max(times, key=times.__getitem__)
    return [("hostile_validate_seconds", round(times[slowest], 2),
             f"target < 5; slowest of {len(times)} files: {slowest}; median "
             f"{statistics.median(times.values()):.2f} s; process start included")]


BENCHES: dict[str, Callable[[], Iterable[Figure]]] = {  # quick figures first
    "dynamodb": dynamodb_requests_per_send,
    "transitions": transitions_per_entry,
    "simulate": simulate_customers_per_s,
    "simulate_cli": simulate_cli_seconds,
    "imports": handler_import_ratio,
    "backtest": backtest,
    "nbp": next_best_and_propensity,
    "broadcast": broadcast_segment,
    "simulate_moto": simulate_customers_per_s_moto,
    "hostile": hostile_validate_seconds,
    "report": report,
}
ON_REQUEST: dict[str, Callable[[], Iterable[Figure]]] = {  # tens of minutes: named to run
    "scale": scale,
}


def main(names: list[str]) -> None:
    for name in names or list(BENCHES):
        for figure in {**BENCHES, **ON_REQUEST}[name]():
            emit(*figure)


if __name__ == "__main__":
    main(sys.argv[1:])
