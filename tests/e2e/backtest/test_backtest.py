"""`tact backtest`: history replayed on the in-memory store, customers sharded across
processes, counted per journey and step; and `tact simulate` giving the same report on
moto and on the in-memory store."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tact.backtest.history import History, Located, read_history
from tact.backtest.runner import run_backtest
from tact.backtest.shards import ShardJob, ShardLeak, run_shard, shard_of
from tact.cli import app
from tact.generate import generate
from tact.local.functions import find_functions_dir
from tact.local.simulator import simulate_file
from tests.support.paths import JOURNEYS

EXAMPLES = JOURNEYS / "examples"
DAY = "2026-11-02"


def event(event_id: str, kind: str, at: str, data: dict[str, Any],
          customer: str) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "customer_id": customer, "time": f"{DAY}T{at}Z",
            "data": data}


def shopper(customer: str, *, consent: bool = True, cart_at: str = "09:00:00",
            value: float = 40, zone: str = "Europe/Berlin") -> list[dict[str, Any]]:
    events = [event(f"{customer}-p", "customer_updated", "07:00:00",
                    {"email": f"{customer}@example.com", "timezone": zone}, customer)]
    if consent:
        events.append(event(f"{customer}-c", "consent_changed", "07:01:00",
                            {"channel": "email", "purpose": "marketing", "granted": True},
                            customer))
    events.append(event(f"{customer}-cart", "cart_updated", cart_at,
                        {"cart_id": f"{customer}-c1", "value": value, "currency": "EUR",
                         "items": [{"sku": "S1", "name": "Mug", "price": value,
                                    "quantity": 1}]}, customer))
    return events


def write_jsonl(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


def history_of(events: list[dict[str, Any]]) -> History:
    return History([Located(n, "test", n + 1, e) for n, e in enumerate(events)])


def key(item: dict[str, Any]) -> str:
    return json.dumps(item, sort_keys=True)


# --- simulate: moto and memory agree --------------------------------------------------------

EXAMPLE_RUNS = [(JOURNEYS, JOURNEYS / "examples" / "abandoned_cart.events.jsonl")] + [
    (EXAMPLES, path) for path in sorted(EXAMPLES.glob("*.events.jsonl"))]


@pytest.mark.parametrize(("journeys", "events"), EXAMPLE_RUNS,
                         ids=[f"{j.name}/{e.name}" for j, e in EXAMPLE_RUNS])
def test_simulate_gives_the_same_report_on_moto_and_in_memory(journeys: Path,
                                                                events: Path) -> None:
    on_moto = simulate_file(events, journeys, "moto")
    in_memory = simulate_file(events, journeys, "memory")
    assert on_moto.messages, "the example should send something"
    assert in_memory.to_json() == on_moto.to_json()
    assert in_memory.timeline == on_moto.timeline
    assert in_memory.rejected_events == on_moto.rejected_events


# --- backtest totals --------------------------------------------------------------------------

def test_totals_per_journey_and_step(tmp_path: Path) -> None:
    events = [
        *shopper("ana"),  # reminders at 11:00 and next day 11:00
        *shopper("ben", consent=False),  # no consent: both steps suppressed
        *shopper("cem", cart_at="19:30:00"),  # reminder due 21:30 Berlin: quiet hours
        *shopper("dia", value=10),  # below the trigger threshold
        *shopper("eva"),
        event("eva-buy", "purchase_completed", "10:00:00",
              {"order_id": "o1", "cart_id": "eva-c1", "value": 40}, "eva"),  # exits
        *shopper("fay"),
        event("fay-cart2", "cart_updated", "09:30:00",
              {"cart_id": "fay-c1", "value": 50, "currency": "EUR", "items": []}, "fay"),
    ]
    result = run_backtest(write_jsonl(tmp_path / "h.jsonl", events), JOURNEYS, workers=1)
    totals = result.totals
    journey = totals.journeys["abandoned_cart"]
    assert totals.customers == 6 and totals.events == len(events)
    assert journey.entered == 6  # ana ben cem eva fay twice
    assert journey.restarted == 1  # fay's second cart update
    assert journey.exited == 1  # eva bought
    assert journey.skipped == {"trigger condition not met": 1}
    first, second = journey.steps["reminder_1"], journey.steps["reminder_2"]
    assert first.sent == {"email": 3}  # ana, cem (after quiet hours), fay
    assert first.suppressed == {"no_consent": 1}
    assert first.deferred == 1
    assert second.sent == {"email": 3} and second.suppressed == {"no_consent": 1}
    assert next(m["sent_at"] for m in totals.messages if m["customer_id"] == "cem") \
        == "2026-11-03T07:00:00Z"  # 08:00 Berlin, the end of quiet hours
    assert totals.peak_per_hour == (2, f"{DAY}T11")  # ana and fay at 11:00 UTC
    assert journey.peak_per_hour == (2, f"{DAY}T11")


def test_caps_show_as_suppression_reasons(tmp_path: Path) -> None:
    # Three abandoned carts in one morning: the third reminder hits the 2-per-24h cap.
    events = shopper("ana")
    for n, at in enumerate(["09:10:00", "12:00:00", "15:00:00"], start=2):
        events.append(event(f"ana-cart{n}", "cart_updated", at,
                            {"cart_id": f"ana-c{n}", "value": 30 + n, "currency": "EUR",
                             "items": []}, "ana"))
    journeys = tmp_path / "journeys"
    shutil.copytree(JOURNEYS, journeys, ignore=shutil.ignore_patterns("examples"))
    yaml = journeys / "abandoned_cart.yaml"
    yaml.write_text(yaml.read_text().replace("reentry: restart", "reentry: allow"))
    result = run_backtest(history_of(events), journeys, workers=1,
                          functions_dir=find_functions_dir(JOURNEYS))
    steps = result.totals.journeys["abandoned_cart"].steps
    reasons = {**steps["reminder_1"].suppressed}
    for reason, n in steps["reminder_2"].suppressed.items():
        reasons[reason] = reasons.get(reason, 0) + n
    assert reasons.get("frequency_cap", 0) >= 1
    assert len(result.totals.messages) <= 5  # never over the weekly cap


# --- sharding ------------------------------------------------------------------------------------

def test_worker_count_changes_nothing_but_speed() -> None:
    history = history_of(generate(120, 4, seed=8))
    one = run_backtest(history, JOURNEYS, workers=1)
    three = run_backtest(history, JOURNEYS, workers=3)
    assert one.totals.messages  # something to compare
    assert three.totals.to_json(lists=True) == one.totals.to_json(lists=True)
    assert sorted(three.shard_seconds) and len(three.shard_seconds) == 3


def test_a_shard_refuses_a_customer_of_another_shard() -> None:
    events = shopper("ana") + shopper("ben")
    ana = shard_of("ana", 2)
    with pytest.raises(ShardLeak, match="ben"):
        run_shard(ShardJob(ana, 2, JOURNEYS, find_functions_dir(JOURNEYS),
                           history_of(events).events))


def test_shard_assignment_is_stable_and_spread() -> None:
    assert shard_of("c000001", 4) == shard_of("c000001", 4)
    counts = [0, 0, 0, 0]
    for n in range(2000):
        counts[shard_of(f"c{n:06d}", 4)] += 1
    assert min(counts) > 400


# --- reading history -----------------------------------------------------------------------

def test_eventbridge_export_folder_with_gzip_and_bad_lines(tmp_path: Path) -> None:
    events = shopper("ana") + shopper("ben")
    folder = tmp_path / "export"
    (folder / "2026" / "11").mkdir(parents=True)
    bridge = [{"version": "0", "id": f"eb-{n}", "detail-type": e["type"], "source": "shop",
               "time": e["time"], "detail": e} for n, e in enumerate(events[:3])]
    write_jsonl(folder / "2026" / "11" / "part-1.jsonl", bridge)
    with gzip.open(folder / "2026" / "11" / "part-2.jsonl.gz", "wt") as handle:
        handle.write("".join(json.dumps(e) + "\n" for e in events[3:]))
        handle.write("{not json\n")
        handle.write(json.dumps({"id": "x", "type": "cart_updated", "time": "soon"}) + "\n")
        handle.write(json.dumps({**events[0], "id": "bad-type", "type": "page_viewed"}) + "\n")
    (folder / "README.txt").write_text("not an event file")
    history = read_history(folder)
    assert len(history.files) == 2 and len(history.events) == 7
    assert [r["line"] for r in history.rejected] == [4, 5]
    result = run_backtest(history, JOURNEYS, workers=2)
    direct = run_backtest(write_jsonl(tmp_path / "plain.jsonl", events), JOURNEYS, workers=1)
    assert result.totals.messages == direct.totals.messages
    reasons = [r["reason"] for r in result.totals.rejected]
    assert reasons[0].startswith("not JSON") and "customer_id" in reasons[1]
    assert "unknown event type 'page_viewed'" in reasons[2]
    assert result.totals.rejected[2]["file"].endswith("part-2.jsonl.gz")


# --- the command --------------------------------------------------------------------------

def test_cli_table_json_html(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "h.jsonl", shopper("ana") + shopper("ben", consent=False))
    runner = CliRunner()
    table = runner.invoke(app, ["backtest", "--events", str(path), "--journeys", str(JOURNEYS),
                                "--workers", "2"])
    assert table.exit_code == 0, table.output
    assert "reminder_1" in table.output and "no_consent" in table.output
    assert "2 customers" in table.output
    as_json = runner.invoke(app, ["backtest", "-e", str(path), "-j", str(JOURNEYS), "--json",
                                  "--lists", "--workers", "1"])
    body = json.loads(as_json.stdout)
    assert body["messages_sent"] == 2 and len(body["messages"]) == 2
    step = body["journeys"]["abandoned_cart"]["steps"]["reminder_1"]
    assert step["sent"] == {"email": 1} and step["suppressed"] == {"no_consent": 1}
    html = runner.invoke(app, ["backtest", "-e", str(path), "-j", str(JOURNEYS), "--html"])
    assert html.stdout.startswith("<!doctype html>") and "<script" not in html.stdout
    assert "reminder_1" in html.stdout


def test_cli_compare_shows_two_versions_side_by_side(tmp_path: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(JOURNEYS, old, ignore=shutil.ignore_patterns("examples"))
    yaml = old / "abandoned_cart.yaml"
    text = yaml.read_text()
    assert "cart.value >= 20" in text
    yaml.write_text(text.replace("cart.value >= 20", "cart.value >= 45"))
    path = write_jsonl(tmp_path / "h.jsonl", shopper("ana", value=30) + shopper("ben", value=50))
    result = CliRunner().invoke(app, ["backtest", "-e", str(path), "-j", str(JOURNEYS),
                                      "--compare", str(old), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    changes = {(c["journey"], c["step"], c["metric"]): c for c in body["changes"]}
    entered = changes[("abandoned_cart", "", "entered")]
    assert (entered["old"], entered["new"], entered["change"]) == (1, 2, 1)
    sent = changes[("abandoned_cart", "reminder_1", "sent email")]
    assert (sent["old"], sent["new"]) == (1, 2)
    text_run = CliRunner().invoke(app, ["backtest", "-e", str(path), "-j", str(JOURNEYS),
                                        "--compare", str(old)])
    assert "old" in text_run.output and "+1" in text_run.output


def test_cli_errors_are_sentences_not_tracebacks(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["backtest", "-e", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 1 and "no such file or folder" in missing.output
    (tmp_path / "empty").mkdir()
    empty = runner.invoke(app, ["backtest", "-e", str(tmp_path / "empty")])
    assert empty.exit_code == 1 and "no .jsonl" in empty.output
    both = runner.invoke(app, ["backtest", "-e", str(tmp_path), "--json", "--html"])
    assert both.exit_code == 2


# --- the hot paths taken around the JSONata evaluator give JSONata's answers ----------------

def test_quick_comparisons_agree_with_jsonata() -> None:
    from tact.expressions import _quick_compare, compile_expression

    context = {"cart": {"value": 40, "half": 20.5, "neg": -3, "s": "abc", "b": True,
                        "l": [1, 2], "n": None, "d": {"x": 1}}, "customer": {"tier": "gold"}}
    checked = 0
    for path in ["cart.value", "cart.half", "cart.neg", "cart.s", "cart.b", "cart.l", "cart.n",
                 "cart.d", "cart.missing", "customer.tier", "nope.x"]:
        for op in ["=", "!=", "<", "<=", ">", ">="]:
            for literal in ["20", "20.5", "-3", "40", "'abc'", '"gold"', "'b'"]:
                text = f"{path} {op} {literal}"
                quick = _quick_compare(text, context)
                if quick is None:
                    continue  # JSONata decides these
                checked += 1
                assert quick == (compile_expression(text).evaluate(context) is True), text
    assert checked > 80


def test_plain_state_paths_agree_with_jsonata() -> None:
    import jsonata

    from tact.local.stepfunctions.jsonata_context import evaluate

    states = {"input": {"status": "deferred", "n": 3, "ok": False, "obj": {"a": [1, {"b": 2}]},
                        "list": [1, 2], "one": [7], "none": None, "f": 1.5},
              "context": {"Execution": {"Input": {"customer_id": "ana"}}}}
    for path in ["input.status", "input.n", "input.ok", "input.obj", "input.list", "input.one",
                 "input.none", "input.f", "context.Execution.Input", "context.Execution.Input."
                 "customer_id"]:
        expected = jsonata.Jsonata(f"$states.{path}")
        expected.set_output_convert_nulls(False)
        raw = expected.evaluate(None, {"states": states})
        got = evaluate(f" $states.{path} ", {"states": states}, "test")
        assert got == json.loads(json.dumps(jsonata.utils.Utils.convert_nulls(raw))), path


# --- the in-memory world reaches no AWS API ---------------------------------------------------

def test_memory_simulation_calls_no_aws_api(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    from tact.local.simulator import Simulation

    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("an AWS client was created in an in-memory run")

    monkeypatch.setattr(boto3, "client", refuse)
    monkeypatch.setattr(boto3, "resource", refuse)
    report = Simulation(JOURNEYS, "memory").run(shopper("ana") + shopper("ben", consent=False))
    assert [m["customer_id"] for m in report.messages] == ["ana", "ana"]


def test_dead_letters_in_memory_go_to_the_report() -> None:
    from tact import runtime

    parked: list[tuple[str, str]] = []
    runtime.override(dead_letter=lambda body, reason: parked.append((body, reason)))
    try:
        runtime.dead_letter("{bad", "body is not JSON")
    finally:
        runtime.reset()
    assert parked == [("{bad", "body is not JSON")]
