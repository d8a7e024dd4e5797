"""`tact report` and `simulate --html` over simulated runs: funnel, holdout, A/B, verdicts."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tact.cli import app
from tact.local.simulator import Simulation
from tact.report.local import funnels_for_run
from tests.support.paths import ROOT

JOURNEYS = ROOT / "journeys"
FUNCTIONS = ROOT / "functions"
REPORTS = ROOT / "reports"
CHROMIUM = Path("/usr/bin/chromium")
MIN_SAMPLE = 50

JOURNEY = """\
id: cart_test
name: Cart reminder tone test
trigger: {event: cart_updated}
exit_on: [purchase_completed]
holdout: 20%
steps:
  - goal: purchase_completed
  - wait: 1h
  - id: tone
    ab_split:
      - name: plain
        weight: 50
        steps:
          - send: {id: plain_reminder, channel: email, template: cart_reminder_1}
      - name: gentle
        weight: 50
        steps:
          - send: {id: gentle_reminder, channel: email, template: cart_reminder_2}
"""


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "journeys"
    shutil.copytree(JOURNEYS / "templates", root / "templates")
    (root / "settings.yaml").write_text("default_timezone: UTC\nquiet_hours: null\n")
    (root / "cart_test.yaml").write_text(JOURNEY)
    (tmp_path / "functions").symlink_to(FUNCTIONS)  # the CLI finds functions/ beside journeys/
    return root


def _customers(n: int, purchases: set[str] | None = None) -> list[dict]:
    events = []
    for i in range(n):
        cid = f"c{i:04d}"
        events += [
            {"id": f"{cid}-p", "type": "customer_updated", "customer_id": cid,
             "time": "2026-11-02T08:00:00Z", "data": {"email": f"{cid}@example.com"}},
            {"id": f"{cid}-c", "type": "consent_changed", "customer_id": cid,
             "time": "2026-11-02T08:00:00Z",
             "data": {"channel": "email", "purpose": "marketing", "granted": True}},
            {"id": f"{cid}-cart", "type": "cart_updated", "customer_id": cid,
             "time": "2026-11-02T09:00:00Z",
             "data": {"cart_id": f"k{cid}", "value": 30, "currency": "EUR",
                      "items": [{"sku": "A", "name": "Tee", "price": 30, "quantity": 1}]}},
        ]
        if purchases and cid in purchases:
            events.append({"id": f"{cid}-buy", "type": "purchase_completed", "customer_id": cid,
                           "time": "2026-11-02T14:00:00Z",
                           "data": {"order_id": f"o{cid}", "cart_id": f"k{cid}", "value": 30,
                                    "currency": "EUR", "items": []}})
    return events


def _run(root: Path, events: list[dict], min_sample: int = 100):  # type: ignore[no-untyped-def]
    report = Simulation(root, store="memory", functions_dir=FUNCTIONS).run(events)
    funnels, definitions = funnels_for_run(report, root, events, min_sample=min_sample)
    return report, funnels[0], definitions


@pytest.fixture(scope="module")
def lopsided(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """400 customers; after seeing the (deterministic) assignment, the 'gentle' variant's
    customers buy far more often than 'plain' and the holdout."""
    root = _project(tmp_path_factory.mktemp("lopsided"))
    events = _customers(400)
    _, first, _ = _run(root, events, MIN_SAMPLE)
    gentle = sorted(e.customer_id for e in first.entries if e.branches.get("tone") == 1)
    others = sorted(e.customer_id for e in first.entries if e.branches.get("tone") != 1)
    buyers = set(gentle[: len(gentle) // 2]) | set(others[: len(others) // 10])
    events = _customers(400, buyers)
    report, funnel, definitions = _run(root, events, MIN_SAMPLE)
    return root, events, report, funnel, definitions, buyers


def test_funnel_counts(lopsided) -> None:  # type: ignore[no-untyped-def]
    _, _, report, funnel, _, buyers = lopsided
    assert funnel.entered == 400
    assert 55 <= funnel.control <= 105  # 20% holdout, deterministic buckets
    treated = funnel.entered - funnel.control
    assert funnel.converted == len(buyers)
    rows = {row.step: row for row in funnel.steps}
    assert rows["wait_1h"].reached == treated
    # the purchase at 14:00 comes after the 10:00 send: everyone treated got one message
    assert rows["plain_reminder"].sent + rows["gentle_reminder"].sent == treated == funnel.sent
    assert rows["plain_reminder"].reached == rows["plain_reminder"].sent
    assert funnel.exited == 0  # the journey was over by the time they bought
    assert len(report.messages) == treated


def test_ab_and_holdout_comparisons(lopsided) -> None:  # type: ignore[no-untyped-def]
    _, _, _, funnel, _, _ = lopsided
    by_label = dict(funnel.comparisons)
    ab = by_label["tone: gentle vs plain"]
    assert ab.winner == "gentle"
    assert ab.treatment.rate == pytest.approx(0.5, abs=0.01)
    assert ab.control.rate == pytest.approx(0.1, abs=0.02)
    assert ab.p_value is not None and ab.p_value < 1e-6
    assert ab.lift is not None and ab.lift > 2
    holdout = by_label["holdout"]
    assert holdout.control.entered == funnel.control
    assert holdout.control.rate == pytest.approx(0.1, abs=0.02)
    assert holdout.winner == "journey"


def test_not_enough_data_below_the_minimum_sample(lopsided) -> None:  # type: ignore[no-untyped-def]
    root, events, report, _, _, _ = lopsided
    funnels, _ = funnels_for_run(report, root, events, min_sample=1000)
    for _, comparison in funnels[0].comparisons:
        assert comparison.winner is None
        assert comparison.verdict.startswith("not enough data")


def test_report_command(lopsided, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, events, _, _, _, _ = lopsided
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in events[:60]) + "\n")
    result = CliRunner().invoke(app, ["report", "-e", str(path), "-j", str(root), "--store",
                                      "memory", "--json"])
    assert result.exit_code == 0, result.output
    [journey] = json.loads(result.stdout)
    carts = sum(1 for e in events[:60] if e["type"] == "cart_updated")
    assert journey["entered"] == carts and journey["goals"] == ["purchase_completed"]
    assert all(c["verdict"].startswith("not enough data") for c in journey["comparisons"])
    text = CliRunner().invoke(app, ["report", "-e", str(path), "-j", str(root), "--store",
                                    "memory"])
    assert "verdict: not enough data" in text.output
    bad = CliRunner().invoke(app, ["report", "-e", str(path), "-j", str(root), "--window", "x"])
    assert bad.exit_code == 2 and "not a duration" in bad.output


def test_since_filters_entries(lopsided) -> None:  # type: ignore[no-untyped-def]
    root, events, report, _, _, _ = lopsided
    funnels, _ = funnels_for_run(report, root, events, since="2026-11-03")
    assert funnels[0].entered == 0


def test_simulate_html_is_self_contained(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, [
        "simulate", "-e", str(JOURNEYS / "examples" / "abandoned_cart.events.jsonl"),
        "-j", str(JOURNEYS), "--store", "memory", "--html", str(out), "--json"])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert 'aria-label="journey graph"' in html and 'aria-label="sends per hour"' in html
    assert "flowchart TD" in html and "reminder_1" in html
    sent = len(json.loads(result.stdout)["messages"])
    assert f"{sent} messages sent" in html


def test_html_renders_in_headless_chromium(lopsided) -> None:  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from tact.report.html import render_html

    _, _, report, funnel, definitions, _ = lopsided
    REPORTS.mkdir(exist_ok=True)
    page = REPORTS / "simulate-report.html"
    shot = REPORTS / "simulate-report.png"
    page.write_text(render_html([funnel], definitions, report.messages))
    shot.unlink(missing_ok=True)
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--window-size=1200,1600", f"--screenshot={shot}", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_goal_condition_is_evaluated_like_ingest() -> None:
    from tact.journey.model import Journey
    from tact.report.funnel import _goal_met

    journey = Journey.model_validate({
        "id": "j", "name": "j", "trigger": {"event": "cart_updated"},
        "exit_on": ["purchase_completed"],
        "steps": [{"goal": {"event": "purchase_completed",
                            "when": "order.cart_id = entry.cart.cart_id"}},
                  {"send": {"id": "s", "template": "t"}}]})
    entry = {"cart": {"cart_id": "k1"}}
    same = {"type": "purchase_completed", "customer_id": "c", "time": "2026-11-02T10:00:00Z",
            "data": {"order_id": "o", "cart_id": "k1", "value": 1}}
    other = {**same, "data": {**same["data"], "cart_id": "k2"}}
    assert _goal_met(journey, None, same, entry)
    assert not _goal_met(journey, None, other, entry)
    assert _goal_met(journey, "purchase_completed", other, entry)  # --goal: any such event
