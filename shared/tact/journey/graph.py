"""Draw a journey: Mermaid text always; SVG/PNG where Graphviz (`dot`) or mermaid-cli is found.

Drawn from the journey model (what the marketer wrote), one node per step, branches labelled
with their condition or variant weight.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tact.journey.durations import format_duration
from tact.journey.model import (
    AbSplitStep,
    Branch,
    ExitStep,
    GoalStep,
    Journey,
    SendStep,
    SplitStep,
    UpdateStep,
    WaitStep,
)


class GraphToolMissing(RuntimeError):
    """No installed tool can turn the graph into an image."""


@dataclass
class _Graph:
    nodes: list[tuple[str, str, str]] = field(default_factory=list)  # id, label, shape
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # from, to, label
    steps: dict[str, str] = field(default_factory=dict)  # node id -> send step id

    def node(self, label: str, shape: str = "box") -> str:
        node_id = f"n{len(self.nodes)}"
        self.nodes.append((node_id, label, shape))
        return node_id


def _label(step: Any) -> tuple[str, str]:
    if isinstance(step, WaitStep):
        spec = step.wait
        if spec.duration is not None:
            return f"wait {format_duration(spec.duration)}", "round"
        if spec.until_time_of_day():
            return f"wait until {spec.until} local", "round"
        return f"wait until {spec.until}{' at ' + spec.at if spec.at else ''}", "round"
    if isinstance(step, SendStep):
        s = step.send
        via = s.channel + (f" then {', '.join(s.fallback)}" if s.fallback else "")
        return f"send {s.id}: {s.template} ({via})", "box"
    if isinstance(step, SplitStep):
        return f"split {step.id or ''}".strip(), "diamond"
    if isinstance(step, AbSplitStep):
        return f"A/B split {step.id}", "diamond"
    if isinstance(step, UpdateStep):
        u = step.update
        parts = [f"{k}={v}" for k, v in u.set.items()] + [f"+tag {t}" for t in u.add_tags]
        return f"update {', '.join(parts)}", "box"
    if isinstance(step, ExitStep):
        return f"exit: {step.exit.reason}", "stop"
    awaited = getattr(step, "wait_for", None)
    if awaited is not None:
        return f"wait for {awaited.event} up to {format_duration(awaited.timeout)}", "diamond"
    raise TypeError(step)


def journey_graph(journey: Journey) -> _Graph:
    """The marketer's view of a journey: nodes (id, label, shape) and labelled edges."""
    return _build(journey)


def _build(journey: Journey) -> _Graph:
    graph = _Graph()
    start = graph.node(f"{journey.trigger.event}"
                       + (f" when {journey.trigger.when}" if journey.trigger.when else ""), "start")
    end = graph.node("end", "stop")
    ends: list[tuple[str, str]] = [(start, "")]
    if journey.holdout:
        hold = graph.node(f"holdout {journey.holdout:.0%}", "diamond")
        control = graph.node("control group: nothing sent", "stop")
        graph.edges.append((start, hold, ""))
        graph.edges.append((hold, control, "control"))
        ends = [(hold, "treatment")]

    def chain(steps: list[Any], heads: list[tuple[str, str]]) -> list[tuple[str, str]]:
        for step in steps:
            if isinstance(step, GoalStep):
                continue
            label, shape = _label(step)
            node = graph.node(label, shape)
            if isinstance(step, SendStep):
                graph.steps[node] = step.send.id
            for head, edge in heads:
                graph.edges.append((head, node, edge))
            if isinstance(step, ExitStep):
                return []
            if isinstance(step, SplitStep):
                heads = []
                for branch in step.split:
                    if isinstance(branch, Branch):
                        heads += chain(branch.steps, [(node, branch.if_)])
                    else:
                        heads += chain(branch.else_, [(node, "else")])
                if all(isinstance(b, Branch) for b in step.split):
                    heads.append((node, "no match"))
            elif getattr(step, "wait_for", None) is not None:
                spec = step.wait_for
                heads = chain(list(spec.on_event), [(node, spec.event)])
                heads += chain(list(spec.on_timeout), [(node, "timeout")])
            elif isinstance(step, AbSplitStep):
                total = sum(v.weight for v in step.ab_split)
                heads = []
                for v in step.ab_split:
                    edge = f"{v.name} {v.weight / total:.0%}"
                    heads += chain(v.steps, [(node, edge)]) if v.steps else [(node, edge)]
            else:
                heads = [(node, "")]
        return heads

    for head, edge in chain(journey.steps, ends):
        graph.edges.append((head, end, edge))
    goals = journey.goals()
    if goals or journey.exit_on:
        text = "; ".join([f"goal: {g.event}" for g in goals]
                         + [f"exits on {r.event}" for r in journey.exit_on])
        graph.nodes.append(("notes", text, "note"))
    return graph


def _escape(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace('"', "#quot;")


_MERMAID_SHAPES = {"box": '["{}"]', "round": '("{}")', "diamond": '{{"{}"}}',
                   "start": '(["{}"])', "stop": '(["{}"])', "note": '>"{}"]'}


def mermaid(journey: Journey) -> str:
    graph = _build(journey)
    lines = ["flowchart TD", f"  %% {journey.id}: {journey.name}"]
    for node_id, label, shape in graph.nodes:
        lines.append(f"  {node_id}{_MERMAID_SHAPES[shape].format(_escape(label))}")
    for a, b, label in graph.edges:
        arrow = f' -->|"{_escape(label)}"| ' if label else " --> "
        lines.append(f"  {a}{arrow}{b}")
    return "\n".join(lines) + "\n"


_DOT_SHAPES = {"box": "box", "round": "box, style=rounded", "diamond": "diamond",
               "start": "oval", "stop": "oval", "note": "note"}


def dot(journey: Journey) -> str:
    graph = _build(journey)

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"digraph {q(journey.id)} {{", "  rankdir=TB;", "  node [fontname=Helvetica];"]
    for node_id, label, shape in graph.nodes:
        lines.append(f"  {node_id} [label={q(label)}, shape={_DOT_SHAPES[shape]}];")
    for a, b, label in graph.edges:
        lines.append(f"  {a} -> {b}" + (f" [label={q(label)}];" if label else ";"))
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_image(journey: Journey, fmt: str, out: Path) -> str:
    """Write an SVG or PNG with Graphviz or mermaid-cli; return the tool used."""
    if shutil.which("dot"):
        subprocess.run(["dot", f"-T{fmt}", "-o", str(out)], input=dot(journey), text=True,
                       check=True, capture_output=True)
        return "graphviz"
    if shutil.which("mmdc"):
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "journey.mmd"
            source.write_text(mermaid(journey), encoding="utf-8")
            subprocess.run(["mmdc", "-i", str(source), "-o", str(out)], check=True,
                           capture_output=True)
        return "mermaid-cli"
    raise GraphToolMissing(
        f"cannot draw {fmt.upper()}: neither Graphviz (`dot`) nor mermaid-cli (`mmdc`) is "
        "installed. Install one (e.g. `apt-get install graphviz`), or use the default "
        "--format mermaid and paste the text into any Mermaid viewer (GitHub renders it)")
