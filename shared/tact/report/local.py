"""Reports over a local simulation run: the glue between the simulator and the funnels."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from tact.clock import parse_iso
from tact.journey.bundle import build
from tact.journey.project import load_project, require_valid
from tact.report.funnel import DEFAULT_WINDOW, JourneyFunnel, build_funnels
from tact.report.html import render_html
from tact.report.stats import DEFAULT_MIN_SAMPLE


def funnels_for_run(report: Any, journeys_dir: Path, events: list[dict[str, Any]],
                    goal: str | None = None, window: timedelta = DEFAULT_WINDOW,
                    min_sample: int = DEFAULT_MIN_SAMPLE, since: str | None = None,
                    ) -> tuple[list[JourneyFunnel], dict[str, dict[str, Any]]]:
    project = require_valid(load_project(journeys_dir))
    _, definitions = build(project)
    if since:
        cutoff = parse_iso(since if "T" in since else f"{since}T00:00:00Z")
        report = replace(report, executions=[e for e in report.executions
                                             if parse_iso(e["start"]) >= cutoff],
                         messages=[m for m in report.messages
                                   if parse_iso(m["sent_at"]) >= cutoff],
                         suppressed=[s for s in report.suppressed
                                     if parse_iso(s["at"]) >= cutoff],
                         timeline=[t for t in report.timeline if parse_iso(t.at) >= cutoff])
    funnels = build_funnels(report, project.journeys, definitions, events, goal, window,
                            min_sample)
    return funnels, definitions


def write_html(path: Path, report: Any, journeys_dir: Path, events: list[dict[str, Any]],
               goal: str | None = None, min_sample: int = DEFAULT_MIN_SAMPLE) -> Path:
    funnels, definitions = funnels_for_run(report, journeys_dir, events, goal,
                                           min_sample=min_sample)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(funnels, definitions, report.messages), encoding="utf-8")
    return path
