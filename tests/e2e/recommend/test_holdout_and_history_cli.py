"""`tact backtest --holdout-days` measures the models on a history; `tact simulate --history`
lets the cross-sell example learn from the shop's older orders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tact.cli import app
from tact.generate import generate, write_jsonl
from tact.recommend.evaluate import holdout

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "journeys" / "examples"
runner = CliRunner()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "events.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        write_jsonl(generate(1500, 60, seed=4), handle)
    return path


def test_holdout_json_reports_the_models_and_their_baselines(history: Path) -> None:
    result = runner.invoke(app, ["backtest", "--events", str(history), "--holdout-days", "14",
                                 "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    events = [json.loads(line) for line in history.read_text().splitlines()]
    expected = holdout(events, 14).to_json()
    assert report == expected
    assert report["next_best_hit_rate_at_5"] > report["popularity_hit_rate_at_5"]
    assert report["propensity_brier"] < report["base_rate_brier"]
    assert sum(row["customers"] for row in report["reliability"]) == report["buyers"]


def test_holdout_table_names_every_figure(history: Path) -> None:
    result = runner.invoke(app, ["backtest", "-e", str(history), "--holdout-days", "14"])
    assert result.exit_code == 0, result.output
    for words in ("next best hit rate@5", "popularity", "Brier", "base rate", "Reliability"):
        assert words in result.output


def test_holdout_mistakes_are_named(history: Path, tmp_path: Path) -> None:
    zero = runner.invoke(app, ["backtest", "-e", str(history), "--holdout-days", "0"])
    assert zero.exit_code == 2 and "more than 0" in zero.output
    mixed = runner.invoke(app, ["backtest", "-e", str(history), "--holdout-days", "7",
                                "--compare", str(EXAMPLES)])
    assert mixed.exit_code == 2 and "does not combine" in mixed.output
    too_long = runner.invoke(app, ["backtest", "-e", str(history), "--holdout-days", "90"])
    assert too_long.exit_code == 1 and "hold out fewer days" in too_long.output
    broken = tmp_path / "broken.jsonl"
    broken.write_text(history.read_text() + '{"id": "x", "type": "purchase_completed", '
                      '"customer_id": "c1", "time": "yesterday", "data": {}}\n')
    skipped = runner.invoke(app, ["backtest", "-e", str(broken), "--holdout-days", "14"])
    lines = len(history.read_text().splitlines()) + 1
    assert skipped.exit_code == 0 and f"broken.jsonl:{lines}: event skipped" in skipped.output


def test_simulate_learns_from_the_history_file(tmp_path: Path) -> None:
    args = ["simulate", "-j", str(EXAMPLES), "-e", str(EXAMPLES / "post_purchase.events.jsonl"),
            "--json", "--save-run", str(tmp_path / "run.json")]
    with_history = runner.invoke(app, [*args, "--history",
                                       str(EXAMPLES / "post_purchase.history.jsonl")])
    assert with_history.exit_code == 0, with_history.output
    sent = json.loads(with_history.stdout)["messages"]
    assert [(m["customer_id"], m["step"]) for m in sent] == [("ana", "cross_sell"),
                                                             ("ben", "cross_sell")]
    missing = runner.invoke(app, [*args, "--history", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 1 and "nope.jsonl: file not found" in missing.output


def test_backtest_fits_one_model_for_all_shards() -> None:
    from tact.backtest.history import History, Located
    from tact.backtest.runner import run_backtest

    lines = [*(EXAMPLES / "post_purchase.history.jsonl").read_text().splitlines(),
             *(EXAMPLES / "post_purchase.events.jsonl").read_text().splitlines()]
    history = History([Located(n, "examples", n + 1, json.loads(line))
                       for n, line in enumerate(lines)])
    one = run_backtest(history, EXAMPLES, workers=1)
    # Many small shards: fitted per shard, most would see too few orders to learn from.
    many = run_backtest(history, EXAMPLES, workers=1, shards=16)
    assert many.totals.to_json(lists=True) == one.totals.to_json(lists=True)
    sent = {(m["customer_id"], m["step"]) for m in one.totals.messages}
    assert {("ana", "cross_sell"), ("ben", "cross_sell")} <= sent
