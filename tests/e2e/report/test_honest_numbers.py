"""Issue 15, findings 4 and 5: report numbers count customers, never entries, and every view
(JSON, terminal, HTML) shows the same counts; the HTML draws the marketer's journey."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tact.cli import app

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "journeys" / "templates"
FUNCTIONS = ROOT / "functions"

RESTARTING = """\
id: cart_restart
name: Cart reminder that restarts
trigger: {event: cart_updated}
exit_on: [purchase_completed]
reentry: restart
purpose: marketing
steps:
  - goal: purchase_completed
  - wait: 1h
  - send: {id: reminder, channel: email, template: cart_reminder_1}
"""

TONE_TEST_WITHOUT_GOAL = """\
id: tone_test
name: Tone test without a goal
trigger: {event: cart_updated}
exit_on: [purchase_completed]
reentry: restart
purpose: marketing
steps:
  - wait: 1h
  - id: tone
    ab_split:
      - name: plain
        weight: 50
        steps: [{send: {id: plain, channel: email, template: cart_reminder_1}}]
      - name: gentle
        weight: 50
        steps: [{send: {id: gentle, channel: email, template: cart_reminder_2}}]
"""

SPLIT_WITH_QUIET_HOURS = """\
id: cart_split
name: Cart reminder by value
trigger: {event: cart_updated, when: "cart.value >= 20"}
exit_on: [purchase_completed, cart_emptied]
reentry: restart
purpose: marketing
steps:
  - wait: 2h
  - send: {id: first, channel: email, template: cart_reminder_1}
  - wait: 1d
  - split:
      - if: "cart.value > 100"
        steps: [{send: {id: vip, channel: email, template: cart_reminder_2}}]
      - {else: [{send: {id: second, channel: email, template: cart_reminder_2}}]}
"""


def _project(tmp_path: Path, journey: str, settings: str = "default_timezone: UTC\n"
             "quiet_hours: null\n") -> Path:
    root = tmp_path / "journeys"
    shutil.copytree(TEMPLATES, root / "templates")
    (root / "settings.yaml").write_text(settings)
    (root / "journey.yaml").write_text(journey)
    (tmp_path / "functions").symlink_to(FUNCTIONS)
    return root


def _event(eid: str, kind: str, cid: str, at: str, **data: Any) -> dict[str, Any]:
    return {"id": eid, "type": kind, "customer_id": cid, "time": at, "data": data}


def _customer(cid: str, consent: bool = True) -> list[dict[str, Any]]:
    events = [_event(f"{cid}-p", "customer_updated", cid, "2026-11-02T07:00:00Z",
                     email=f"{cid}@example.com")]
    if consent:
        events.append(_event(f"{cid}-c", "consent_changed", cid, "2026-11-02T07:00:00Z",
                             channel="email", purpose="marketing", granted=True))
    return events


def _cart(cid: str, n: int, at: str, value: float = 30) -> dict[str, Any]:
    return _event(f"{cid}-cart{n}", "cart_updated", cid, at, cart_id=f"k-{cid}", value=value,
                  currency="EUR", items=[{"sku": "A", "name": "Tee", "price": value,
                                          "quantity": 1}])


def _write(tmp_path: Path, events: list[dict[str, Any]]) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def _report_json(tmp_path: Path, root: Path, events: Path, *extra: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["report", "--events", str(events), "--journeys", str(root),
                                      "--store", "memory", "--json", *extra])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = data["journeys"] if isinstance(data, dict) else data
    return {row["journey"]: row for row in rows}


def test_restarts_do_not_inflate_entered_customers_or_conversions(tmp_path: Path) -> None:
    """Acceptance 3 of issue 15: 3 customers restart a journey 4 times each, 2 buy once."""
    root = _project(tmp_path, RESTARTING)
    events: list[dict[str, Any]] = []
    for cid in ("ann", "ben", "cat"):
        events += _customer(cid)
        events += [_cart(cid, n, f"2026-11-02T{9 + n:02d}:10:00Z") for n in range(4)]
    for cid in ("ann", "ben"):
        events.append(_event(f"{cid}-buy", "purchase_completed", cid, "2026-11-02T15:00:00Z",
                             order_id=f"o-{cid}", cart_id=f"k-{cid}", value=30,
                             currency="EUR", items=[]))
    row = _report_json(tmp_path, root, _write(tmp_path, events))["cart_restart"]
    assert row["entered"] == 3  # customers, not the 12 entries
    assert row["entries"] == 12
    assert row["converted"] == 2  # customers who bought within the window, not 8 entries
    assert row["revenue"] == [{"currency": "EUR", "value": 60.0}]


def test_ab_test_compares_customers_and_no_goal_means_no_test(tmp_path: Path) -> None:
    root = _project(tmp_path, TONE_TEST_WITHOUT_GOAL)
    events: list[dict[str, Any]] = []
    for i in range(40):
        cid = f"c{i:02d}"
        events += _customer(cid)
        events += [_cart(cid, n, f"2026-11-02T{9 + 2 * n:02d}:00:00Z") for n in range(3)]
    path = _write(tmp_path, events)
    row = _report_json(tmp_path, root, path)["tone_test"]
    assert row["goals"] == []
    assert row["comparisons"] == []  # no goal: nothing to test, so no verdict
    html = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "--events", str(path), "--journeys", str(root),
                                      "--store", "memory", "--html", str(html)])
    assert result.exit_code == 0, result.output
    page = html.read_text()
    assert "treat the variants as equal" not in page
    assert "no significant difference" not in page
    assert "no goal" in page
    with_goal = _report_json(tmp_path, root, path, "--goal", "cart_updated")["tone_test"]
    [ab] = with_goal["comparisons"]
    groups = ab["control"]["entered"] + ab["treatment"]["entered"]
    assert groups == 40  # every customer once, though each entered three times


def _quiet_night_run(tmp_path: Path) -> tuple[Path, Path, Path]:
    root = _project(tmp_path, SPLIT_WITH_QUIET_HOURS,
                    "default_timezone: UTC\nquiet_hours: {start: '21:00', end: '08:00'}\n")
    events: list[dict[str, Any]] = []
    for i in range(6):
        cid = f"k{i}"
        events += _customer(cid, consent=i % 3 != 0)  # k0, k3: no consent
        # 20:00 cart: the first reminder falls into quiet hours and is deferred.
        events.append(_cart(cid, 0, "2026-11-02T20:00:00Z", value=150 if i % 2 else 40))
    return root, _write(tmp_path, events), tmp_path / "run.html"


def test_html_draws_the_marketers_journey_with_a_legend(tmp_path: Path) -> None:
    root, events, html = _quiet_night_run(tmp_path)
    result = CliRunner().invoke(app, ["simulate", "--events", str(events), "--journeys",
                                      str(root), "--store", "memory", "--html", str(html),
                                      "--goal", "purchase_completed", "--json"])
    assert result.exit_code == 0, result.output
    page = html.read_text()
    for compiled in ("_quiet_hours", "_deferred", "send_failed", ">default<"):
        assert compiled not in page, compiled
    assert "cart.value &gt; 100" in page  # the condition on the edge, as `tact graph` draws
    assert "else" in page
    assert "legend" in page.lower()
    assert "goal: purchase_completed" in page


def test_html_lists_not_sent_customers_and_counts_agree(tmp_path: Path) -> None:
    root, events, html = _quiet_night_run(tmp_path)
    result = CliRunner().invoke(app, ["report", "--events", str(events), "--journeys",
                                      str(root), "--store", "memory", "--html", str(html),
                                      "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = data["journeys"] if isinstance(data, dict) else data
    row = {r["journey"]: r for r in rows}["cart_split"]
    not_sent = sum(row["not_sent"].values())
    assert not_sent == 4  # k0, k3: no consent for both reminders
    page = html.read_text()
    header = re.search(r"(\d+) not sent", page)
    assert header and int(header.group(1)) == not_sent
    table_total = sum(sum(step["not_sent"].values()) for step in row["steps"])
    assert table_total == not_sent
    for cid in ("k0", "k3"):
        assert re.search(rf"<td>{cid}</td>.*?no_consent", page, re.S), cid
