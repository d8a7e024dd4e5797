"""Run the report's SQL on Amazon Athena, over the Glue table template.yaml defines.

The same statements DuckDB runs (tact.analytics.queries); rows come back as text and are typed
from the result set's column metadata, so the report is built from the same values.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tact.analytics.queries import Row

DEFAULT_DATABASE = "tact_decisions"  # template.yaml's AnalyticsDatabaseName default
POLL_SECONDS = (0.2, 0.5, 1.0, 2.0)  # then every 2 s: Athena queries take seconds


class AthenaQueryFailed(Exception):
    """Athena ended the query without success; the message says why."""


_CASTS: dict[str, Callable[[str], Any]] = {
    "bigint": int, "integer": int, "smallint": int, "tinyint": int, "double": float,
    "float": float, "real": float, "decimal": float, "boolean": lambda v: v == "true",
}


class AthenaRecords:
    def __init__(self, workgroup: str, database: str = DEFAULT_DATABASE, client: Any = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if client is None:
            from tact import aws

            client = aws.client("athena")
        self.client, self.workgroup, self.database, self.sleep = client, workgroup, database, sleep

    def run(self, sql: str) -> list[Row]:
        started = self.client.start_query_execution(
            QueryString=sql, WorkGroup=self.workgroup,
            QueryExecutionContext={"Database": self.database})
        query_id = started["QueryExecutionId"]
        self._wait(query_id)
        rows: list[Row] = []
        names: list[str] = []
        casts: list[Callable[[str], Any]] = []
        pages = self.client.get_paginator("get_query_results").paginate(QueryExecutionId=query_id)
        for number, page in enumerate(pages):
            result = page["ResultSet"]
            if number == 0:
                columns = result["ResultSetMetadata"]["ColumnInfo"]
                names = [c["Name"] for c in columns]
                casts = [_CASTS.get(c.get("Type", "varchar").lower(), str) for c in columns]
            data = result["Rows"][1:] if number == 0 else result["Rows"]  # first: the header
            for item in data:
                cells = item["Data"]
                rows.append({name: (cast(cell["VarCharValue"]) if "VarCharValue" in cell
                                    else None)
                             for name, cast, cell in zip(names, casts, cells, strict=True)})
        return rows

    def _wait(self, query_id: str) -> None:
        for attempt in range(10_000):
            status = self.client.get_query_execution(
                QueryExecutionId=query_id)["QueryExecution"]["Status"]
            state = status["State"]
            if state == "SUCCEEDED":
                return
            if state in ("FAILED", "CANCELLED"):
                raise AthenaQueryFailed(f"Athena query {query_id} {state.lower()}: "
                                        f"{status.get('StateChangeReason', 'no reason given')}")
            self.sleep(POLL_SECONDS[min(attempt, len(POLL_SECONDS) - 1)])
        raise AthenaQueryFailed(f"Athena query {query_id} still running; try again later")
