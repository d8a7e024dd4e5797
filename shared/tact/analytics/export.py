"""Decision records as files, in the layout Kinesis Data Firehose writes to S3.

Firehose (no dynamic partitioning, GZIP) names objects
``<prefix>YYYY/MM/DD/HH/<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<random>.gz`` by UTC hour of
arrival (https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html). Exported runs use
the hour of each decision, and a name from the run part instead of a random string, so the
same run exports the same files.
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from tact.analytics.duck import PREFIX
from tact.analytics.records import DecisionRecord

STREAM_NAME = "tact-decisions"


def write_export(root: Path, records: Iterable[DecisionRecord], part: str = "local") -> list[Path]:
    """Write ``root/decisions/YYYY/MM/DD/HH/...gz``; return the files written."""
    by_hour: dict[str, list[str]] = defaultdict(list)
    for record in records:
        by_hour[record.decided_at[:13]].append(record.json_line())  # "YYYY-MM-DDTHH"
    written = []
    for hour, lines in sorted(by_hour.items()):
        day, hh = hour.split("T")
        year, month, dom = day.split("-")
        folder = root / PREFIX / year / month / dom / hh
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{STREAM_NAME}-1-{day}-{hh}-00-00-{part}.gz"
        # mtime=0: the same records give the same bytes.
        with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
            out.write("".join(lines).encode("utf-8"))
        written.append(path)
    return written
