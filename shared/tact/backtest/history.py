"""Reading event history: JSON Lines of shop envelopes, or of EventBridge events (an archive
replayed to S3, an S3 export) whose ``detail`` is the envelope; one file or a folder of them,
optionally gzipped. Lines that cannot be used are reported with file:line and a reason.

A history too large for memory is partitioned instead (``partition_history``): read once, each
usable line written to one of N part files by its customer, so a worker replays one part at a
time and memory is bounded by the part size, not by the history.
"""

from __future__ import annotations

import gzip
import json
import math
import struct
import zlib
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


@dataclass(frozen=True)
class _Usable:
    """A line that parsed and names its customer; ``bridged``: its envelope was the ``detail``
    of an EventBridge event, not the line itself."""

    file_index: int
    number: int
    text: str
    raw: dict[str, Any]
    customer_id: str
    bridged: bool


def _usable_lines(path: Path, files: list[str],
                  rejected: list[dict[str, Any]]) -> Iterator[_Usable]:
    """Every usable line, in reading order; each file's name goes to ``files`` as it is opened,
    each unusable line to ``rejected`` with file:line and a reason."""
    for index, file in enumerate(history_files(path)):
        files.append(str(file))
        for number, text in enumerate(_lines(file), start=1):
            if not text.strip():
                continue
            try:
                message = json.loads(text)
                raw = envelope(message)
            except json.JSONDecodeError as err:
                rejected.append({"file": str(file), "line": number,
                                 "reason": f"not JSON: {err.msg}"})
                continue
            customer = raw.get("customer_id") if isinstance(raw, dict) else None
            if not isinstance(customer, str) or not customer:
                rejected.append({"file": str(file), "line": number,
                                 "reason": "customer_id: missing or not a string"})
                continue
            yield _Usable(index, number, text, raw, customer, raw is not message)


def read_history(path: Path) -> History:
    """Every usable line, in reading order; full validation happens where the event is replayed."""
    history = History()
    for position, line in enumerate(_usable_lines(path, history.files, history.rejected)):
        history.events.append(Located(position, history.files[line.file_index], line.number,
                                      line.raw))
    return history


# A part of about this many bytes of JSON holds ~13,000 customers of generated traffic, which
# one worker replays in about 0.6 GB (measured by `make bench BENCH=scale`).
PART_BYTES = 8 * 1024 * 1024


def shard_of(customer_id: str, shards: int) -> int:
    """Stable across processes and runs (unlike hash())."""
    return zlib.crc32(customer_id.encode("utf-8")) % shards


@dataclass
class Partitioned:
    """A history written out by customer: part i holds the customers ``shard_of`` puts in i."""

    parts: list[Path]
    events: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def _text_size(path: Path) -> int:
    if not path.name.endswith(".gz"):
        return path.stat().st_size
    with path.open("rb") as handle:  # gzip keeps the uncompressed size (mod 2**32) at its end
        handle.seek(-4, 2)
        return int(struct.unpack("<I", handle.read(4))[0]) or path.stat().st_size * 8


def part_count(path: Path, at_least: int = 1, part_bytes: int = PART_BYTES) -> int:
    total = sum(_text_size(f) for f in history_files(path))
    return max(at_least, math.ceil(total / part_bytes))


def partition_history(path: Path, folder: Path, parts: int) -> Partitioned:
    """Read ``path`` once, line by line, and write each usable line to its customer's part in
    ``folder`` as ``position<TAB>file index<TAB>line<TAB>JSON``; rejected lines are kept with
    file:line and a reason, as ``read_history`` does."""
    result = Partitioned([folder / f"part-{i:04d}.tsv" for i in range(parts)])
    handles = [p.open("w", encoding="utf-8") for p in result.parts]
    try:
        for line in _usable_lines(path, result.files, result.rejected):
            text = json.dumps(line.raw) if line.bridged else line.text.strip()
            handles[shard_of(line.customer_id, parts)].write(
                f"{result.events}\t{line.file_index}\t{line.number}\t{text}\n")
            result.events += 1
    finally:
        for handle in handles:
            handle.close()
    return result


def read_part(part: Path, files: list[str]) -> Iterator[Located]:
    """The events of one part file, as ``partition_history`` wrote them."""
    with part.open(encoding="utf-8") as handle:
        for text in handle:
            position, index, number, line = text.split("\t", 3)
            yield Located(int(position), files[int(index)], int(number), json.loads(line))
