"""Issue 16, acceptance 5's ground: `tact backtest --export DIR` writes the replay's decision
records in the layout `tact simulate --export` (and the deployed stream) writes, so
`tact report --from DIR` reports a backtest exactly as it reports a simulated run."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from tact.cli import app
from tact.generate import generate, write_jsonl
from tests.support.paths import JOURNEYS

EXAMPLES = JOURNEYS / "examples"


def _records(export: Path) -> list[str]:
    """Every exported record line, from the layout Firehose writes (decisions/YYYY/MM/DD/HH/)."""
    return [line for path in sorted(export.glob("decisions/*/*/*/*/*.gz"))
            for line in gzip.decompress(path.read_bytes()).decode().splitlines()]


def _report(runner: CliRunner, export: Path) -> dict[str, object]:
    result = runner.invoke(app, ["report", "--from", str(export), "-j", str(EXAMPLES), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_backtest_export_reports_as_the_simulated_run_does(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    with history.open("w", encoding="utf-8") as handle:
        write_jsonl(generate(40, 3, seed=4), handle)
    runner = CliRunner()
    exports = {}
    for workers in (1, 2):
        exports[workers] = tmp_path / f"backtest-{workers}"
        backtest = runner.invoke(app, ["backtest", "-e", str(history), "-j", str(EXAMPLES),
                                       "--workers", str(workers), "--json",
                                       "--export", str(exports[workers])])
        assert backtest.exit_code == 0, backtest.output
    simulated = tmp_path / "simulated"
    simulate = runner.invoke(app, ["simulate", "-e", str(history), "-j", str(EXAMPLES),
                                   "--json", "--export", str(simulated)])
    assert simulate.exit_code == 0, simulate.output

    one, two, simulation = (_records(p) for p in (exports[1], exports[2], simulated))
    assert one, "the history entered nobody"
    assert sorted(one) == sorted(two) == sorted(simulation)  # the same records, however sharded
    assert len(set(one)) == len(one)  # parts never overwrite each other
    report = _report(runner, exports[1])
    assert report == _report(runner, exports[2]) == _report(runner, simulated)
    assert sum(j["sent"] for j in report["journeys"]) == len(  # type: ignore[index,union-attr]
        json.loads(simulate.stdout)["messages"])


def test_backtest_export_writes_the_same_bytes_twice(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    with history.open("w", encoding="utf-8") as handle:
        write_jsonl(generate(12, 2, seed=6), handle)
    runner = CliRunner()
    contents = []
    for run in ("a", "b"):
        export = tmp_path / run
        result = runner.invoke(app, ["backtest", "-e", str(history), "-j", str(EXAMPLES),
                                     "--workers", "2", "--export", str(export)])
        assert result.exit_code == 0, result.output
        assert "decision records" in result.output
        contents.append({str(p.relative_to(export)): p.read_bytes()
                         for p in export.glob("decisions/*/*/*/*/*.gz")})
    assert contents[0] and contents[0] == contents[1]
    # --compare: the --journeys run is exported, never the other one's records beside it
    compared = tmp_path / "compared"
    result = runner.invoke(app, ["backtest", "-e", str(history), "-j", str(EXAMPLES),
                                 "--compare", str(JOURNEYS), "--export", str(compared)])
    assert result.exit_code == 0, result.output
    assert sorted(_records(compared)) == sorted(_records(tmp_path / "a"))
    again = runner.invoke(app, ["backtest", "-e", str(history), "-j", str(EXAMPLES),
                                "--export", str(tmp_path / "a")])
    assert again.exit_code == 2 and "already holds decision records" in again.output
