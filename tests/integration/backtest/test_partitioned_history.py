"""A history file is partitioned by customer to part files and replayed one part at a time
(bounded memory): the counts must be those of the same history replayed from memory, however
many parts, and bad lines are still reported with file:line."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from tact.backtest.history import (
    History,
    Located,
    part_count,
    partition_history,
    read_part,
    shard_of,
)
from tact.backtest.runner import run_backtest
from tact.generate import generate

ROOT = Path(__file__).resolve().parents[3]
JOURNEYS = ROOT / "journeys"


def _file(tmp_path: Path, events: list[dict], name: str = "h.jsonl") -> Path:
    path = tmp_path / name
    text = "".join(json.dumps(e) + "\n" for e in events)
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_every_line_lands_in_its_customers_part_once(tmp_path: Path) -> None:
    events = generate(60, 3, seed=5)
    source = _file(tmp_path, events)
    folder = tmp_path / "parts"
    folder.mkdir()
    parted = partition_history(source, folder, 4)
    seen = []
    for index, part in enumerate(parted.parts):
        for located in read_part(part, parted.files):
            assert shard_of(located.raw["customer_id"], 4) == index
            assert located.source == str(source)
            seen.append(located)
    assert parted.events == len(events) == len(seen)
    assert sorted(e["id"] for e in events) == sorted(s.raw["id"] for s in seen)
    by_position = sorted(seen, key=lambda s: s.position)
    assert [s.line for s in by_position] == list(range(1, len(events) + 1))


def test_replay_from_parts_counts_what_memory_counts(tmp_path: Path) -> None:
    events = generate(80, 4, seed=9)
    source = _file(tmp_path, events, "h.jsonl.gz")
    in_memory = run_backtest(History([Located(n, str(source), n + 1, e)
                                      for n, e in enumerate(events)]), JOURNEYS, workers=1)
    for shards, workers in ((1, 1), (7, 2)):
        parted = run_backtest(source, JOURNEYS, workers=workers, shards=shards)
        assert parted.totals.to_json(lists=True) == in_memory.totals.to_json(lists=True)
        assert len(parted.shard_seconds) == shards


def test_counts_without_lists_match_the_lists(tmp_path: Path) -> None:
    source = _file(tmp_path, generate(50, 3, seed=2))
    full = run_backtest(source, JOURNEYS, workers=1).totals
    lean = run_backtest(source, JOURNEYS, workers=1, lists=False).totals
    assert lean.messages == [] and lean.suppressed == []
    assert (lean.messages_sent, lean.not_sent) == (len(full.messages), len(full.suppressed))
    assert lean.to_json() == full.to_json()


def test_bad_lines_are_reported_with_file_and_line(tmp_path: Path) -> None:
    good = generate(3, 1, seed=1)[:2]
    path = tmp_path / "h.jsonl"
    path.write_text(json.dumps(good[0]) + "\n{not json\n" + json.dumps({"type": "x"}) + "\n"
                    + json.dumps(good[1]) + "\n", encoding="utf-8")
    result = run_backtest(path, JOURNEYS, workers=1)
    assert [(r["line"], r["reason"].split(":")[0]) for r in result.totals.rejected] == [
        (2, "not JSON"), (3, "customer_id")]
    assert result.totals.events == 2


def test_part_count_follows_the_size(tmp_path: Path) -> None:
    source = _file(tmp_path, generate(40, 2, seed=3))
    size = source.stat().st_size
    assert part_count(source, at_least=2, part_bytes=size * 10) == 2
    assert part_count(source, part_bytes=size // 4 - 1) == 5
    gz = _file(tmp_path, generate(40, 2, seed=3), "h.jsonl.gz")
    assert gz.stat().st_size < size // 4
    assert part_count(gz, part_bytes=size // 4 - 1) == 5  # the uncompressed size counts


def test_eventbridge_lines_are_partitioned_by_their_detail(tmp_path: Path) -> None:
    events = generate(20, 2, seed=4)
    bridged = [{"version": "0", "id": f"eb-{n}", "detail-type": e["type"], "source": "shop",
                "detail": json.dumps(e) if n % 2 else e} for n, e in enumerate(events)]
    source = _file(tmp_path, bridged)
    folder = tmp_path / "parts"
    folder.mkdir()
    parted = partition_history(source, folder, 3)
    read = sorted((loc for part in parted.parts for loc in read_part(part, parted.files)),
                  key=lambda loc: loc.position)
    assert [loc.raw for loc in read] == events
