"""Issue 16, acceptance 4: the SQL `tact report --athena` sends is the repo's SQL, and the report
built from Athena's answers equals the one DuckDB computes from the same files.

moto does not execute SQL: its Athena answers each query with a result queued beforehand. The
queued results are DuckDB's rows for the very same statements over the same export, written
the way Athena returns them (text cells, typed column metadata, a header row).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws
from moto.athena.models import QueryResults, athena_backends

from tact.analytics.athena import AthenaRecords
from tact.analytics.compute import report_from
from tact.analytics.duck import DuckRecords
from tact.analytics.export import write_export
from tact.analytics.queries import QUERIES, query
from tact.analytics.report import compute_report
from tact.local.simulator import Simulation, read_events
from tests.support.paths import JOURNEYS

EXAMPLES = JOURNEYS / "examples"
WINDOW_MS = 7 * 86_400_000


def _athena_result(rows: list[dict[str, Any]], names: list[str]) -> QueryResults:
    def kind(column: str) -> str:
        values = [r[column] for r in rows if r[column] is not None]
        if values and all(isinstance(v, int) for v in values):
            return "bigint"
        return "double" if values and all(isinstance(v, float) for v in values) else "varchar"

    header = {"Data": [{"VarCharValue": n} for n in names]}
    data = [{"Data": [{} if r[n] is None else {"VarCharValue": str(r[n])} for n in names]}
            for r in rows]
    return QueryResults(rows=[header, *data],
                        column_info=[{"Name": n, "Type": kind(n)} for n in names])


def test_athena_runs_the_repo_sql_and_builds_the_same_report(tmp_path: Path,
                                                             monkeypatch: Any) -> None:
    run = Simulation(EXAMPLES, store="memory").run(
        read_events(EXAMPLES / "winback.events.jsonl")[0])
    write_export(tmp_path, run.decisions)
    duck = DuckRecords(tmp_path)
    expected = report_from(tmp_path, WINDOW_MS)
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        backend = athena_backends["123456789012"]["us-east-1"]
        for name in QUERIES:
            statement = query(name, WINDOW_MS)
            cursor = duck.connection.execute(statement)
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            backend.query_results_queue.append(_athena_result(rows, names))
        client = boto3.client("athena")
        client.create_work_group(Name="tact-analytics")
        got = compute_report(AthenaRecords("tact-analytics", client=client, sleep=lambda _: None),
                             WINDOW_MS)
        sent = [e.query for e in backend.executions.values()]
    assert sent == [query(name, WINDOW_MS) for name in QUERIES]  # the repo's SQL, in order
    assert got == expected
    assert got.journeys and any(j.converted for j in got.journeys)
