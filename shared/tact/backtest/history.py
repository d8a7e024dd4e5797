"""Reading event history: JSON Lines of shop envelopes, or of EventBridge events (an archive
replayed to S3, an S3 export) whose ``detail`` is the envelope; one file or a folder of them,
optionally gzipped. Lines that cannot be used are reported with file:line and a reason.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUFFIXES = (".jsonl", ".json", ".ndjson", ".jsonl.gz", ".json.gz", ".ndjson.gz")


@dataclass(frozen=True)
class Located:
    """One envelope and where it came from (its position orders ties in time)."""

    position: int
    source: str
    line: int
    raw: dict[str, Any]


@dataclass
class History:
    events: list[Located] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


class HistoryNotFound(FileNotFoundError):
    pass


def history_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))
        if not found:
            raise HistoryNotFound(f"{path}: no {', '.join(SUFFIXES)} files in this folder")
        return found
    raise HistoryNotFound(f"{path}: no such file or folder")


def _lines(path: Path) -> Iterator[str]:
    if path.name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            yield from handle
    else:
        with path.open(encoding="utf-8") as handle:
            yield from handle


def envelope(message: Any) -> Any:
    """The shop envelope of a line: the line itself, or the ``detail`` of an EventBridge event."""
    if isinstance(message, dict) and "detail-type" in message and "detail" in message:
        detail = message["detail"]
        return json.loads(detail) if isinstance(detail, str) else detail
    return message


def read_history(path: Path) -> History:
    """Every usable line, in reading order; full validation happens where the event is replayed."""
    history = History()
    position = 0
    for file in history_files(path):
        history.files.append(str(file))
        for number, text in enumerate(_lines(file), start=1):
            if not text.strip():
                continue
            try:
                raw = envelope(json.loads(text))
            except json.JSONDecodeError as err:
                history.rejected.append({"file": str(file), "line": number,
                                         "reason": f"not JSON: {err.msg}"})
                continue
            customer = raw.get("customer_id") if isinstance(raw, dict) else None
            if not isinstance(customer, str) or not customer:
                history.rejected.append({"file": str(file), "line": number,
                                         "reason": "customer_id: missing or not a string"})
                continue
            history.events.append(Located(position, str(file), number, raw))
            position += 1
    return history
