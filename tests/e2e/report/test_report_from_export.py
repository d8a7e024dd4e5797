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


def test_an_entry_ended_by_an_exit_step_is_an_exited_record_with_its_reason(
        tmp_path: Path) -> None:
    # post_purchase ends at `exit: nothing new to suggest` for a customer with no next best
    # product (ben, in the example). Deployed, only what is written to the table reaches the
    # stream: the exit step must write its decision, or the stream never says it happened.
    from tact.local.simulator import simulate_file

    run = simulate_file(EXAMPLES / "post_purchase.events.jsonl", EXAMPLES, "memory")
    ended = [t for t in run.timeline if t.what == "ended"]
    assert [(t.customer_id, t.journey) for t in ended] == [("ben", "post_purchase")]
    exited = [r for r in run.decisions if r.kind == "exited"]
    assert [(r.customer_id, r.journey, r.step, r.reason) for r in exited] == [
        ("ben", "post_purchase", ended[0].step, "nothing new to suggest")]
    entered = next(r for r in run.decisions if r.kind == "entered" and r.customer_id == "ben")
    assert exited[0].execution == entered.execution and exited[0].version == entered.version
    assert exited[0].decided_at == ended[0].at
    export = tmp_path / "export"
    runner = CliRunner()
    simulated = runner.invoke(app, ["simulate", "-e", str(EXAMPLES / "post_purchase.events.jsonl"),
                                    "-j", str(EXAMPLES), "--export", str(export)])
    assert simulated.exit_code == 0, simulated.output
    report = runner.invoke(app, ["report", "--from", str(export), "-j", str(EXAMPLES), "--json"])
    assert report.exit_code == 0, report.output
    journey = next(j for j in json.loads(report.stdout)["journeys"]
                   if j["journey"] == "post_purchase")
    assert journey["exited"] == 1 and journey["entered"] == 2


def test_simulate_refuses_to_export_beside_an_earlier_runs_records(tmp_path: Path) -> None:
    # An earlier run's files of other hours would stay, and be reported as this run's.
    export = tmp_path / "export"
    args = ["simulate", "-e", str(EXAMPLES / "welcome.events.jsonl"), "-j", str(EXAMPLES),
            "--export", str(export)]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 2 and "already holds decision records" in again.output
