"""`tact cost`: figures come from the compiled definitions and the dated, overridable prices."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tact.cli import app
from tact.cost.estimate import estimate
from tact.cost.paths import analyse
from tact.cost.prices import Prices
from tact.journey.compiler import compile_journey
from tact.journey.project import load_project, require_valid
from tact.local.simulator import Simulation
from tests.support.paths import ROOT

JOURNEYS = ROOT / "journeys"

CART = """\
id: abandoned_cart
name: Abandoned cart reminder
trigger: {event: cart_updated, when: "cart.value >= 20"}
exit_on: [purchase_completed, cart_emptied]
reentry: restart
steps:
%s
"""
TWO_SENDS = """\
  - wait: 2h
  - send: {id: reminder_1, channel: email, template: cart_reminder_1}
  - wait: 24h
  - send: {id: reminder_2, channel: email, template: cart_reminder_2}"""


def _project(tmp_path: Path, steps: str, settings: str | None = None) -> Path:
    root = tmp_path / "journeys"
    shutil.copytree(JOURNEYS / "templates", root / "templates")
    (root / "settings.yaml").write_text(settings or (JOURNEYS / "settings.yaml").read_text())
    (root / "abandoned_cart.yaml").write_text(CART % steps)
    return root


def _costs(root: Path):  # type: ignore[no-untyped-def]
    project = require_valid(load_project(root))
    journey = project.journeys["abandoned_cart"]
    return estimate(journey.id, compile_journey(journey), project.settings)


def test_transitions_follow_the_compiled_definition(tmp_path: Path) -> None:
    before = _costs(_project(tmp_path / "a", TWO_SENDS))
    # wait, send, its deferral Choice, wait, send, Choice, Succeed
    assert before.paths.shortest.transitions == 7
    assert before.paths.shortest.lambda_invocations == 2
    # every send deferred by quiet hours once: +3 transitions and +1 invocation per send
    assert before.paths.longest.transitions == 13
    assert before.paths.longest.lambda_invocations == 4

    one_more_wait = TWO_SENDS + (
        "\n  - wait: 3d\n  - send: {id: last_call, template: cart_reminder_2}")
    after = _costs(_project(tmp_path / "b", one_more_wait))
    assert after.paths.shortest.transitions == before.paths.shortest.transitions + 3
    assert after.typical.total > before.typical.total
    assert after.typical.lines["messages_email"] == pytest.approx(3 * 1_000_000 * 0.0001)


def test_split_gives_different_shortest_and_longest_paths(tmp_path: Path) -> None:
    steps = """\
  - wait: 2h
  - split:
      - if: "cart.value > 100"
        steps:
          - send: {id: vip, template: cart_reminder_1}
          - wait: 1d
          - send: {id: vip_2, template: cart_reminder_2}
      - else:
          - send: {id: reminder_1, template: cart_reminder_1}"""
    cost = _costs(_project(tmp_path, steps))
    paths = cost.paths
    assert paths.shortest.messages == 1 and paths.longest.messages == 2
    assert paths.typical.messages == pytest.approx(1.5)  # branches weighted equally
    assert "vip_2" in paths.longest.states and "vip" not in paths.shortest.states
    assert paths.shortest.transitions < paths.typical.transitions < paths.longest.transitions


def test_dynamodb_units_follow_the_cap_settings(tmp_path: Path) -> None:
    one_cap = _costs(_project(tmp_path / "a", TWO_SENDS))
    assert (one_cap.per_send.read_units, one_cap.per_send.write_units) == (2, 4)
    settings = (JOURNEYS / "settings.yaml").read_text().replace(
        "  transactional: {}", "    email: [{max: 1, per: 24h}]\n  transactional: {}")
    two_caps = _costs(_project(tmp_path / "b", TWO_SENDS, settings))
    # message record + two cap counters, transactional writes cost 2 WRU each
    assert two_caps.per_send.write_units == 6


def test_prices_are_overridable_in_settings(tmp_path: Path) -> None:
    settings = (JOURNEYS / "settings.yaml").read_text() + (
        "prices:\n  as_of: '2027-01-01'\n  ses_email: 0.0002\n  step_functions_transition: 0\n")
    cost = _costs(_project(tmp_path, TWO_SENDS, settings))
    assert cost.typical.lines["messages_email"] == pytest.approx(2 * 1_000_000 * 0.0002)
    assert cost.typical.lines["step_functions"] == 0
    default = Prices()
    assert default.step_functions_transition == pytest.approx(0.000025)


def test_estimate_matches_the_transitions_the_executor_counts(tmp_path: Path) -> None:
    """One customer through the whole journey in daytime: the shortest path, as billed."""
    root = _project(tmp_path, TWO_SENDS)
    events = [
        {"id": "p", "type": "customer_updated", "customer_id": "amy",
         "time": "2026-11-02T07:00:00Z",
         "data": {"email": "amy@example.com", "timezone": "Europe/Berlin"}},
        {"id": "c", "type": "consent_changed", "customer_id": "amy",
         "time": "2026-11-02T07:01:00Z",
         "data": {"channel": "email", "purpose": "marketing", "granted": True}},
        {"id": "cart", "type": "cart_updated", "customer_id": "amy",
         "time": "2026-11-02T08:00:00Z",
         "data": {"cart_id": "c1", "value": 30, "currency": "EUR",
                  "items": [{"sku": "A", "name": "A", "price": 30, "quantity": 1}]}},
    ]
    report = Simulation(root, store="memory", functions_dir=ROOT / "functions").run(events)
    assert len(report.messages) == 2
    [run] = [e for e in report.executions if e["journey"] == "abandoned_cart"]
    paths = _costs(root).paths
    assert run["transitions"] == paths.shortest.transitions
    assert run["states"] == paths.shortest.states


def test_cost_command_prints_figures_and_prices(tmp_path: Path) -> None:
    root = _project(tmp_path, TWO_SENDS)
    result = CliRunner().invoke(app, ["cost", "--journeys", str(root), "--entries", "1000"])
    assert result.exit_code == 0, result.output
    assert "cost per 1,000 entries" in result.output
    assert "transitions/entry" in result.output and "Pinpoint" in result.output
    assert "as of 2026-11-01" in result.output and "ses_email: 0.0001" in result.output
    as_json = CliRunner().invoke(app, ["cost", "-j", str(root), "--json"])
    data = json.loads(as_json.stdout)
    assert data["journeys"][0]["paths"]["shortest"]["transitions"] == 7
    assert data["prices"]["as_of"] == "2026-11-01"
    other = CliRunner().invoke(app, ["cost", "-j", str(root), "--region", "eu-west-1"])
    assert "no built-in price list for eu-west-1" in other.output


def test_analyse_ignores_failure_catch_paths() -> None:
    definition = {"StartAt": "a", "States": {
        "a": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Arguments": {"FunctionName": "${SendFunctionArn}",
                            "Payload": {"step": "a", "template": "t", "channel": "sms"}},
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "failed"}], "End": True},
        "failed": {"Type": "Fail"}}}
    paths = analyse(definition)
    assert paths.longest.transitions == 1
    assert paths.longest.sends == {("sms", "marketing"): 1.0}


def test_typical_path_weighs_holdout_and_ab_split(tmp_path: Path) -> None:
    steps = """\
  - wait: 2h
  - id: tone
    ab_split:
      - name: two
        weight: 75
        steps:
          - send: {id: a1, template: cart_reminder_1}
          - wait: 1d
          - send: {id: a2, template: cart_reminder_2}
      - name: none
        weight: 25
        steps: []"""
    root = _project(tmp_path, steps)
    path = root / "abandoned_cart.yaml"
    path.write_text(path.read_text().replace("reentry: restart", "reentry: restart\nholdout: 20%"))
    paths = _costs(root).paths
    # 80% treated x (75% x 2 messages)
    assert paths.typical.messages == pytest.approx(0.8 * 0.75 * 2)
    assert paths.shortest.messages == 0 and paths.longest.messages == 2
