"""``tact history CUSTOMER``: locally from the last ``tact simulate`` run, or from a table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tact.cli import app
from tests.support.paths import JOURNEYS, ROOT
from tests.support.sendkit import World, consent, profile

EVENTS = JOURNEYS / "examples" / "abandoned_cart.events.jsonl"


def test_history_reads_the_last_simulate_run(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # simulate finds functions/ beside the journeys
    saved = tmp_path / "last-run.json"
    runner = CliRunner()
    done = runner.invoke(app, ["simulate", "-e", str(EVENTS), "-j", str(JOURNEYS), "--json",
                               "--save-run", str(saved)])
    assert done.exit_code == 0, done.output
    result = runner.invoke(app, ["history", "dave", "--run", str(saved), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["kind"], r["what"], r["step"]) for r in rows if r["kind"] != "journey"] == [
        ("consent", "granted", ""), ("message", "sent", "reminder_1"),
        ("consent", "revoked", ""), ("message", "suppressed", "reminder_2")]
    assert "no_consent" in rows[-1]["detail"]
    assert "dave@example.com" not in result.stdout

    missing = runner.invoke(app, ["history", "nobody", "--run", str(saved)])
    assert missing.exit_code == 1 and "not in the last simulate run" in missing.output
    none = runner.invoke(app, ["history", "dave", "--run", str(tmp_path / "none.json")])
    assert none.exit_code == 1 and "run `tact simulate` first" in none.output


def test_history_reads_a_table(send_world: World) -> None:
    send_world.ingest(profile("ana"), consent("ana"))
    result = CliRunner().invoke(app, ["history", "ana", "--table", "tact-test", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["kind"], r["what"], r["channel"]) for r in rows] == [
        ("consent", "granted", "email")]
