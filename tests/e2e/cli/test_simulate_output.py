"""Issue 15 findings 6 and 8: `tact simulate` is fast by default (the in-memory store), prints a
summary per journey (the full timeline with `--timeline`), shows progress on long runs, exits 1
with a count per reason when events were skipped; piped tables keep their full width."""

from __future__ import annotations

import importlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from tact.cli import app

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "journeys" / "examples"
CART_EVENTS = EXAMPLES / "abandoned_cart.events.jsonl"


def _simulate(tmp_path: Path, *args: str, events: Path = CART_EVENTS) -> Any:
    return CliRunner().invoke(app, ["simulate", "-j", str(EXAMPLES), "-e", str(events),
                                    "--save-run", str(tmp_path / "run.json"), *args])


def test_the_default_store_is_the_in_memory_one(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import tact.local.simulator as simulator

    used: list[str] = []
    real = simulator.simulate_file

    def spy(events: Path, journeys: Path, store: Any = "?", *args: Any, **kwargs: Any) -> Any:
        used.append(store)
        return real(events, journeys, store, *args, **kwargs)

    monkeypatch.setattr(simulator, "simulate_file", spy)
    assert _simulate(tmp_path).exit_code == 0
    assert _simulate(tmp_path, "--store", "moto").exit_code == 0
    report = CliRunner().invoke(app, ["report", "-j", str(EXAMPLES), "-e", str(CART_EVENTS),
                                      "--json"])
    assert report.exit_code == 0, report.output
    assert used == ["memory", "moto", "memory"]


def test_a_summary_per_journey_by_default_and_the_timeline_on_request(tmp_path: Path) -> None:
    summary = _simulate(tmp_path)
    assert summary.exit_code == 0, summary.output
    assert "Simulated, per journey" in summary.output
    row = next(line for line in summary.output.splitlines() if "abandoned_cart" in line)
    assert "reminder_1" in row and "no_consent" in row  # one line per journey, nothing cut
    assert " event " not in summary.output and "cart_updated" not in summary.output
    full = _simulate(tmp_path, "--timeline")
    assert full.exit_code == 0
    assert "Simulated timeline" in full.output and "cart_updated" in full.output
    assert "Simulated, per journey" in full.output


def test_skipped_events_exit_1_with_a_count_per_reason(tmp_path: Path) -> None:
    good = CART_EVENTS.read_text(encoding="utf-8").splitlines()
    bad = [
        "{not json",
        json.dumps({"id": "x1", "type": "cart_updated", "customer_id": "zoe",
                    "time": "2026-11-02T09:00:00Z", "data": {"cart_id": "c", "value": -5}}),
        json.dumps({"id": "x2", "type": "cart_updated", "customer_id": "zoe",
                    "time": "2026-11-02T09:00:00Z", "data": {"cart_id": "c", "value": -7}}),
    ]
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join([*good, *bad]) + "\n", encoding="utf-8")
    result = _simulate(tmp_path, events=events)
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "3 event(s) skipped" in text
    assert "value: 2" in text and "not JSON: 1" in text
    as_json = _simulate(tmp_path, "--json", events=events)
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["messages"]  # the run itself is still reported


def test_piped_history_tables_keep_every_row_on_one_line(tmp_path: Path) -> None:
    assert _simulate(tmp_path).exit_code == 0
    result = CliRunner().invoke(app, ["history", "alice", "--run", str(tmp_path / "run.json")])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "reminder_2" in line]
    assert len(rows) == 1 and "2026-11-03 11:00:00" in rows[0] and "abandoned_cart" in rows[0]
    assert "…" not in result.output


def test_a_progress_bar_on_runs_over_a_few_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    command = importlib.import_module("tact.cli.simulate")  # the module, not the command
    terminal = Console(file=io.StringIO(), force_terminal=True, width=100)
    monkeypatch.setattr(command, "err", terminal)
    monkeypatch.setattr(command, "PROGRESS_AFTER", 0.0)  # as if the run had taken a while
    report = command.run_with_progress(CART_EVENTS, EXAMPLES, "memory")
    assert report.messages
    assert "simulating" in terminal.file.getvalue()
    quiet = Console(file=io.StringIO(), force_terminal=True, width=100)
    monkeypatch.setattr(command, "err", quiet)
    monkeypatch.setattr(command, "PROGRESS_AFTER", 3600.0)  # a short run: no bar at all
    command.run_with_progress(CART_EVENTS, EXAMPLES, "memory")
    assert quiet.file.getvalue() == ""
