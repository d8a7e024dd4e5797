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
from tact.report.local import report_of_run
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
    run = Simulation(root, store="memory", functions_dir=FUNCTIONS).run(events)
    report = report_of_run(run, min_sample=min_sample)
    return run, report.journeys[0], report


@pytest.fixture(scope="module")
def lopsided(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """400 customers; after seeing the (deterministic) assignment, the 'gentle' variant's
    customers buy far more often than 'plain' and the holdout."""
    root = _project(tmp_path_factory.mktemp("lopsided"))
    events = _customers(400)
    first, _, _ = _run(root, events, MIN_SAMPLE)
    variant = {r.customer_id: r.variant for r in first.decisions
               if r.kind == "assigned" and r.step == "tone"}
    gentle = sorted(c for c, v in variant.items() if v == "gentle")
    others = sorted({f"c{i:04d}" for i in range(400)} - set(gentle))
    buyers = set(gentle[: len(gentle) // 2]) | set(others[: len(others) // 10])
    events = _customers(400, buyers)
    run, journey, report = _run(root, events, MIN_SAMPLE)
    return root, events, run, journey, report, buyers


def test_funnel_counts(lopsided) -> None:  # type: ignore[no-untyped-def]
    _, _, run, journey, _, buyers = lopsided
    assert journey.entered == journey.entries == 400
    assert 55 <= journey.holdout <= 105  # 20% holdout, deterministic buckets
    treated = journey.entered - journey.holdout
    assert journey.converted == len(buyers)
    assert journey.revenue[0].value == 30 * len(buyers)
    rows = {row.step: row for row in journey.steps}
    # the purchase at 14:00 comes after the 10:00 send: everyone treated got one message
    assert rows["plain_reminder"].sent + rows["gentle_reminder"].sent == treated == journey.sent
    assert rows["plain_reminder"].channels == {"email": rows["plain_reminder"].sent}
    assert journey.exited == 0  # the journey was over by the time they bought
    assert len(run.messages) == treated


def test_ab_and_holdout_comparisons(lopsided) -> None:  # type: ignore[no-untyped-def]
    _, _, _, journey, _, _ = lopsided
    by_label = {c.comparison: c for c in journey.comparisons}
    ab = by_label["tone: gentle vs plain"]
    assert ab.winner == "gentle"
    assert ab.treatment.rate == pytest.approx(0.5, abs=0.01)
    assert ab.control.rate == pytest.approx(0.1, abs=0.02)
    assert ab.p_value is not None and ab.p_value < 1e-6
    assert ab.lift is not None and ab.lift > 2
    assert ab.ci95 is not None and 0 < ab.ci95[0] < ab.difference < ab.ci95[1]
    holdout = by_label["holdout"]
    assert holdout.control.entered == journey.holdout
    assert holdout.control.rate == pytest.approx(0.1, abs=0.02)
    assert holdout.winner == "journey"


def test_not_enough_data_below_the_minimum_sample(lopsided) -> None:  # type: ignore[no-untyped-def]
    _, _, run, _, _, _ = lopsided
    journey = report_of_run(run, min_sample=1000).journeys[0]
    assert journey.comparisons
    for comparison in journey.comparisons:
        assert comparison.winner is None
        assert comparison.verdict.startswith("not enough data")


def test_report_command(lopsided, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, events, _, _, _, _ = lopsided
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in events[:60]) + "\n")
    result = CliRunner().invoke(app, ["report", "-e", str(path), "-j", str(root), "--store",
                                      "memory", "--json"])
    assert result.exit_code == 0, result.output
    [journey] = json.loads(result.stdout)["journeys"]
    carts = sum(1 for e in events[:60] if e["type"] == "cart_updated")
    assert journey["entered"] == carts and journey["goals"] == ["purchase_completed"]
    assert all(c["verdict"].startswith("not enough data") for c in journey["comparisons"])
    text = CliRunner().invoke(app, ["report", "-e", str(path), "-j", str(root), "--store",
                                    "memory"])
    assert "verdict: not enough data" in text.output
    bad = CliRunner().invoke(app, ["report", "-e", str(path), "-j", str(root), "--window", "x"])
    assert bad.exit_code == 2 and "not a duration" in bad.output
    both = CliRunner().invoke(app, ["report", "-e", str(path), "--from", str(tmp_path)])
    assert both.exit_code == 2 and "exactly one of" in both.output


def test_since_filters_decisions(lopsided) -> None:  # type: ignore[no-untyped-def]
    _, _, run, _, _, _ = lopsided
    assert report_of_run(run, since="2026-11-03T00:00:00Z").journeys == []
    kept = report_of_run(run, since="2026-11-02T09:30:00Z").journeys[0]
    assert kept.entered == 0 and kept.sent > 0  # entries were at 09:00, sends at 10:00


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
    assert 'aria-label="journey abandoned_cart"' in html
    assert 'aria-label="sends per hour"' in html
    assert "flowchart TD" in html and "reminder_1" in html
    sent = len(json.loads(result.stdout)["messages"])
    assert f"{sent} messages sent" in html


def test_html_renders_in_headless_chromium(lopsided) -> None:  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from tact.report.local import write_html

    root, _, _, _, report, _ = lopsided
    REPORTS.mkdir(exist_ok=True)
    page = write_html(REPORTS / "simulate-report.html", report, root)
    shot = REPORTS / "simulate-report.png"
    shot.unlink(missing_ok=True)
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--window-size=1200,1600", f"--screenshot={shot}", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_goal_condition_is_evaluated_like_ingest(tmp_path: Path) -> None:
    """A goal's `when` decides what converts: a purchase of another cart does not."""
    root = _project(tmp_path)
    (root / "cart_test.yaml").write_text(JOURNEY.replace(
        "  - goal: purchase_completed\n",
        "  - goal: {event: purchase_completed, when: 'order.cart_id = entry.cart.cart_id'}\n"))
    events = _customers(2, {"c0000", "c0001"})
    for event in events:
        if event["customer_id"] == "c0001" and event["type"] == "purchase_completed":
            event["data"]["cart_id"] = "another-cart"
    _, journey, _ = _run(root, events)
    assert journey.entered == 2 and journey.converted == 1
