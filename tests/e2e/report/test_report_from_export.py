"""Issue 16, acceptance 1: a simulated run's exported decision records give the very report the
run gives (`tact report --from DIR` == `tact report --events FILE`), field for field."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tact.analytics.records import DecisionRecord
from tact.cli import app

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "journeys" / "examples"


@pytest.mark.parametrize("example", ["abandoned_cart", "welcome", "post_purchase", "winback"])
def test_export_then_report_from_equals_report_of_events(example: str, tmp_path: Path) -> None:
    events = EXAMPLES / f"{example}.events.jsonl"
    export = tmp_path / "export"
    runner = CliRunner()
    simulated = runner.invoke(app, ["simulate", "-e", str(events), "-j", str(EXAMPLES),
                                    "--store", "memory", "--json", "--export", str(export)])
    assert simulated.exit_code == 0, simulated.output
    files = sorted(export.glob("decisions/*/*/*/*/*.gz"))
    assert files, "no records exported"
    records = [DecisionRecord.model_validate_json(line) for path in files
               for line in gzip.decompress(path.read_bytes()).decode().splitlines()]
    sent = json.loads(simulated.stdout)["messages"]
    assert sum(r.kind == "sent" for r in records) == len(sent)
    for record in records:  # no contact data in any record
        assert "@" not in record.model_dump_json()
    from_dir = runner.invoke(app, ["report", "--from", str(export), "-j", str(EXAMPLES),
                                   "--json"])
    assert from_dir.exit_code == 0, from_dir.output
    of_events = runner.invoke(app, ["report", "-e", str(events), "-j", str(EXAMPLES),
                                    "--store", "memory", "--json"])
    assert of_events.exit_code == 0, of_events.output
    exported, simulated_report = json.loads(from_dir.stdout), json.loads(of_events.stdout)
    assert exported == simulated_report
    assert exported["journeys"], "the example entered nobody"
    assert sum(j["sent"] for j in exported["journeys"]) == len(sent)


def test_report_from_an_empty_folder_says_nothing_entered(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--from", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["journeys"] == []
    missing = CliRunner().invoke(app, ["report", "--from", str(tmp_path / "nope")])
    assert missing.exit_code == 1 and "no such folder" in missing.output
