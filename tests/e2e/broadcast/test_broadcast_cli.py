"""The example broadcast end to end: simulate (in memory, as backtests run it), ``tact
broadcast plan`` and ``tact graph`` on it, and the CLI's answers to mistakes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tact.cli import app
from tact.local.simulator import simulate_file
from tests.support.paths import JOURNEYS

EXAMPLES = JOURNEYS / "examples"
EVENTS = EXAMPLES / "autumn_range.events.jsonl"


def test_the_example_broadcast_reaches_each_customer_at_ten_on_their_clock() -> None:
    report = simulate_file(EVENTS, EXAMPLES, "memory")
    sent = sorted((m["customer_id"], m["sent_at"]) for m in report.messages
                  if m["journey"] == "autumn_range")
    assert sent == [("aino", "2026-11-05T08:00:00Z"), ("noah", "2026-11-05T15:00:00Z"),
                    ("yui", "2026-11-05T01:00:00Z")]
    assert [(s["customer_id"], s["reason"]) for s in report.suppressed
            if s["journey"] == "autumn_range"] == [("lena", "no_consent")]


def test_plan_prints_audience_exclusions_waves_and_cost() -> None:
    result = CliRunner().invoke(app, ["broadcast", "plan", "autumn_range", "-j", str(EXAMPLES),
                                      "-e", str(EVENTS), "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert (plan["customers"], plan["audience"], plan["sends"]) == (5, 4, 3)
    assert plan["excluded"] == {"no_consent": 1}
    assert [(w["at"], w["offsets"], w["sends"]) for w in plan["waves"]] == [
        ("2026-11-05T01:00:00Z", ["UTC+09:00"], 1), ("2026-11-05T08:00:00Z", ["UTC+02:00"], 1),
        ("2026-11-05T09:00:00Z", ["UTC+01:00"], 0), ("2026-11-05T15:00:00Z", ["UTC-05:00"], 1)]
    assert plan["cost_usd"]["total"] > 0 and plan["cost_usd"]["messages_email"] > 0
    text = CliRunner().invoke(app, ["broadcast", "plan", "autumn_range", "-j", str(EXAMPLES),
                                    "-e", str(EVENTS)])
    assert "no_consent" in text.output and "would be sent: 3" in text.output


def test_plan_names_what_is_wrong() -> None:
    runner = CliRunner()
    unknown = runner.invoke(app, ["broadcast", "plan", "autum_range", "-j", str(EXAMPLES),
                                  "-e", str(EVENTS)])
    assert unknown.exit_code == 1 and "known: autumn_range" in unknown.output
    missing = runner.invoke(app, ["broadcast", "plan", "autumn_range", "-j", str(EXAMPLES),
                                  "-e", "no/such/file.jsonl"])
    assert missing.exit_code == 1 and "no such file" in missing.output
    neither = runner.invoke(app, ["broadcast", "plan", "autumn_range", "-j", str(EXAMPLES)])
    assert neither.exit_code == 2


def test_graph_draws_a_broadcast() -> None:
    result = CliRunner().invoke(app, ["graph", "autumn_range", "-j", str(EXAMPLES)])
    assert result.exit_code == 0
    assert "flowchart TD" in result.output and "favorite_category = 'fashion'" in result.output


def test_tact_cost_prices_each_broadcast_per_recipients() -> None:
    result = CliRunner().invoke(app, ["cost", "-j", str(EXAMPLES), "--json",
                                      "--entries", "1000000"])
    assert result.exit_code == 0, result.output
    (priced,) = json.loads(result.output)["broadcasts"]
    assert priced["broadcast"] == "autumn_range" and priced["recipients"] == 1_000_000
    assert priced["lines"]["messages_email"] == 100.0  # $0.10 per 1,000 emails
    assert priced["total"] > priced["lines"]["messages_email"]
    assert priced["pinpoint"] > priced["total"]
