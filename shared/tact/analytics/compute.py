"""A report from wherever the records are: a folder, S3 (DuckDB), or a run's own records.

A run's records are written to files and read back like any export, so a report of a run and
a report of its export are computed by the very same path, and agree field for field.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

from tact.analytics.duck import DuckRecords, NoRecords
from tact.analytics.export import write_export
from tact.analytics.queries import QUERIES
from tact.analytics.records import DecisionRecord
from tact.analytics.report import Report, build_report, compute_report
from tact.report.stats import DEFAULT_MIN_SAMPLE


def report_from(location: str | Path, window_ms: int, min_sample: int = DEFAULT_MIN_SAMPLE,
                since: str = "", endpoint_url: str | None = None) -> Report:
    try:
        records = DuckRecords(location, endpoint_url)
    except NoRecords:
        return build_report({name: [] for name in QUERIES}, window_ms, min_sample, since)
    return compute_report(records, window_ms, min_sample, since)


def report_of_records(records: Iterable[DecisionRecord], window_ms: int,
                      min_sample: int = DEFAULT_MIN_SAMPLE, since: str = "") -> Report:
    with tempfile.TemporaryDirectory(prefix="tact-report-") as tmp:
        write_export(Path(tmp), records)
        return report_from(tmp, window_ms, min_sample, since)
