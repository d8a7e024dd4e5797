"""DuckDB over decision records: a local folder or S3, in the layout Firehose writes.

Firehose writes ``<prefix>/YYYY/MM/DD/HH/<stream>-<version>-<time>-<id>[.gz]`` (UTC hour of
arrival); ``tact simulate --export`` writes the same layout. Files are newline-delimited JSON,
gzip-compressed when their name ends in ``.gz`` (DuckDB picks the codec by extension).
S3 goes through DuckDB's httpfs, with credentials from boto3's usual chain.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tact.analytics.queries import Row
from tact.analytics.records import COLUMN_TYPES

PREFIX = "decisions"
HOUR_GLOB = "*/*/*/*/*"  # YYYY/MM/DD/HH/file


class NoRecords(Exception):
    """The location holds no decision records."""


def holds_records(root: Path) -> bool:
    """Does this local folder hold decision record files (``decisions/YYYY/MM/DD/HH/...``)?"""
    return any((root / PREFIX).glob(HOUR_GLOB))


def _httpfs(connection: Any, endpoint_url: str | None) -> None:
    import boto3
    import duckdb_ext  # type: ignore[import-untyped]

    # The extension ships in a Python package (duckdb-ext-httpfs): nothing is downloaded.
    connection.execute(f"SET extension_directory = '{duckdb_ext.__path__[0]}/extensions'")
    connection.execute("LOAD httpfs")
    session = boto3.Session()
    credentials = session.get_credentials()
    options = {"TYPE": "s3", "REGION": session.region_name or "us-east-1"}
    if credentials is not None:
        frozen = credentials.get_frozen_credentials()
        options |= {"KEY_ID": frozen.access_key, "SECRET": frozen.secret_key}
        if frozen.token:
            options["SESSION_TOKEN"] = frozen.token
    if endpoint_url:
        scheme, _, host = endpoint_url.partition("://")
        options |= {"ENDPOINT": host.rstrip("/"), "URL_STYLE": "path",
                    "USE_SSL": "true" if scheme == "https" else "false"}
    spec = ", ".join(f"{k} {_quote(v)}" if k != "TYPE" else f"{k} {v}"
                     for k, v in options.items())
    connection.execute(f"CREATE OR REPLACE SECRET tact_s3 ({spec})")


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class DuckRecords:
    """A DuckDB connection with a ``decisions`` table of the records at ``location``."""

    def __init__(self, location: str | Path, endpoint_url: str | None = None) -> None:
        import duckdb

        self.connection = duckdb.connect()
        text = str(location).rstrip("/")
        if text.startswith("s3://"):
            _httpfs(self.connection, endpoint_url)
            pattern = f"{text}/{PREFIX}/{HOUR_GLOB}"
        else:
            root = Path(text)
            if not holds_records(root):
                raise NoRecords(f"{root}: no decision records under {PREFIX}/YYYY/MM/DD/HH/")
            pattern = str(root / PREFIX / HOUR_GLOB)
        columns = "{" + ", ".join(f"'{name}': '{kind}'" for name, (kind, _) in
                                  COLUMN_TYPES.items()) + "}"
        try:
            # Read once into a table: the report's queries each scan it again (six of them),
            # and decompressing and parsing the JSON is most of their cost. Every query
            # orders its own rows, so the table need not keep the files' order (keeping it
            # makes reading many small files, as Firehose writes them, ~3x slower).
            self.connection.execute("SET preserve_insertion_order = false")
            self.connection.execute(
                "CREATE TABLE decisions AS SELECT * FROM read_json("
                f"{_quote(pattern)}, format = 'newline_delimited', columns = {columns})")
        except Exception as error:
            if "No files found" in str(error):
                raise NoRecords(f"{text}: no decision records under {PREFIX}/") from None
            raise

    def run(self, sql: str) -> list[Row]:
        cursor = self.connection.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def count(self) -> int:
        row = self.connection.execute("SELECT COUNT(*) FROM decisions").fetchone()
        return int(row[0]) if row else 0
