"""Reports of local runs (simulate, report --events): the run's decision records, reported
by the same path as an export or production records (tact.analytics)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tact.analytics.compute import report_of_records
from tact.analytics.report import Report
from tact.report.html import render_html
from tact.report.stats import DEFAULT_MIN_SAMPLE

DEFAULT_WINDOW_MS = 7 * 86_400_000


def report_of_run(run: Any, window_ms: int = DEFAULT_WINDOW_MS,
                  min_sample: int = DEFAULT_MIN_SAMPLE, since: str = "") -> Report:
    return report_of_records(run.decisions, window_ms, min_sample, since)


def project_journeys(journeys_dir: Path | None) -> dict[str, Any]:
    """The journey models to draw, when the folder is there (reports of S3 may have none)."""
    if journeys_dir is None or not Path(journeys_dir).is_dir():
        return {}
    from tact.journey.project import load_project

    project = load_project(journeys_dir)
    return dict(project.journeys)


def write_html(path: Path, report: Report, journeys_dir: Path | None,
               title: str = "Tact journey report") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, project_journeys(journeys_dir), title), encoding="utf-8")
    return path
