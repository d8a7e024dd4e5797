"""The report's SQL, kept in ``sql/*.sql``: one text for DuckDB and Athena.

Written in the subset both dialects read alike (CTEs, CASE, COUNT DISTINCT, ROW_NUMBER, plain
joins; times as epoch milliseconds, so no date functions). Each query is ``base.sql``'s CTEs
followed by its own; the attribution window is the only parameter, an integer.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Protocol

from tact.clock import iso, parse_iso

QUERIES = ("journeys", "revenue", "outcomes", "groups", "not_sent", "sends")
Row = dict[str, object]


class QueryRunner(Protocol):
    """Runs one SELECT over a ``decisions`` table and returns its rows as dicts."""

    def run(self, sql: str) -> list[Row]: ...


@cache
def _text(name: str) -> str:
    return files("tact.analytics").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def _strip_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


def since_text(since: str | None) -> str:
    """``--since`` as the ISO 8601 UTC text decisions are compared with ('' for all)."""
    if not since:
        return ""
    moment = parse_iso(since if "T" in since else f"{since}T00:00:00Z")  # ValueError if not
    return iso(moment)


def query(name: str, window_ms: int, since: str = "") -> str:
    """The complete statement of one report query (``since`` from :func:`since_text`)."""
    if name not in QUERIES:
        raise KeyError(f"no report query {name!r}")
    if since and since != since_text(since):
        raise ValueError(f"since must be an ISO 8601 UTC time, not {since!r}")
    base = _strip_comments(_text("base")).strip().format(window_ms=int(window_ms), since=since)
    body = _strip_comments(_text(name)).strip()
    if body.upper().startswith("WITH "):
        return f"WITH {base},\n{body[5:]}"
    return f"WITH {base}\n{body}"


def run_all(runner: QueryRunner, window_ms: int, since: str = "") -> dict[str, list[Row]]:
    return {name: runner.run(query(name, window_ms, since)) for name in QUERIES}
