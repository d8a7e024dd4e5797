"""Guardrails beyond the invalid corpus: warnings, waivers, spacing rules, path analysis."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tact.cli import app
from tact.journey.project import load_project
from tests.support.paths import ROOT

EXAMPLES = ROOT / "journeys" / "examples"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "templates", tmp_path / "templates")
    shutil.copy(EXAMPLES / "settings.yaml", tmp_path / "settings.yaml")
    return tmp_path


def _journey(project: Path, text: str, name: str = "j") -> Path:
    path = project / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _findings(project: Path) -> list[tuple[str, int, int, str, str]]:
    return [(Path(d.file).name, d.line, d.col, d.severity, d.message)
            for d in load_project(project).diagnostics]


CART = """\
id: j
name: Cart
trigger: {event: cart_updated}
exit_on: [purchase_completed]
steps:
  - wait: 2h
  - send: {id: reminder, template: TEMPLATE}
"""


def test_first_name_in_subject_and_sms_opening_warns_but_validates(project: Path) -> None:
    (project / "templates" / "hello.yaml").write_text(
        'email:\n  subject: "{{ customer.first_name }}, your cart"\n'
        '  text: "Hi {{ customer.first_name }}. {{ links.unsubscribe }}"\n'
        'sms:\n  text: "{{ customer.first_name }}: your cart. Stop: {{ links.unsubscribe }}"\n')
    _journey(project, CART.replace("TEMPLATE", "hello"))
    found = _findings(project)
    assert ("hello.yaml", 2, 16, "warning",
            "first name in a subject line: most recipients dislike it") in found
    assert ("hello.yaml", 5, 13, "warning",
            "first name in an SMS opening: most recipients dislike it") in found
    # In the body it is fine, and warnings do not fail validation.
    assert not any(f[1] == 3 for f in found)
    result = CliRunner().invoke(app, ["validate", str(project)])
    assert result.exit_code == 0, result.output
    assert "warning: first name in a subject line" in result.output


def test_copy_that_reveals_tracking_warns(project: Path) -> None:
    (project / "templates" / "creepy.yaml").write_text(
        'email:\n  subject: "Still interested?"\n  text: |\n'
        '    We noticed you looked at these three times.\n    {{ links.unsubscribe }}\n')
    _journey(project, CART.replace("TEMPLATE", "creepy"))
    found = _findings(project)
    assert ("creepy.yaml", 4, 5, "warning",
            "'We noticed you' reveals tracking (oversharing)") in found


def test_sensitive_attribute_with_a_commented_waiver_is_accepted(project: Path) -> None:
    text = CART.replace("TEMPLATE", "cart_reminder_1").replace(
        "  - wait: 2h\n",
        "  - wait: 2h\n  - split:\n"
        "      # tact: allow-sensitive age - legal drinking age check, approved by DPO 2026-03\n"
        "      - if: \"customer.age >= 18\"\n"
        "        steps: [{send: {id: adult, template: cart_reminder_2}}]\n"
        "  - wait: 1d\n")
    _journey(project, text)
    assert [f for f in _findings(project) if f[3] == "error"] == []
    # Without the comment (or without a reason) it is an error again.
    _journey(project, text.replace(" - legal drinking age check, approved by DPO 2026-03", ""))
    errors = [f for f in _findings(project) if f[3] == "error"]
    assert [(f[1], f[4]) for f in errors] == [
        (9, "customer.age is age data: never target or personalize on age")]


def test_spacing_counts_the_shortest_path_and_respects_settings(project: Path) -> None:
    text = """\
id: j
name: Two reminders
trigger: {event: cart_updated}
exit_on: [purchase_completed]
steps:
  - wait: 2h
  - send: {id: first, template: cart_reminder_1}
  - split:
      - if: "cart.value > 100"
        steps: [{wait: 1d}]
      - else: [{wait: 6h}]
  - send: {id: second, template: cart_reminder_2}
"""
    _journey(project, text)
    errors = [f for f in _findings(project) if f[3] == "error"]
    assert [(f[1], f[4][:60]) for f in errors] == [
        (12, "marketing sends 'first' and 'second' can be only 6h apart on")]
    settings = project / "settings.yaml"
    settings.write_text(settings.read_text().replace("min_marketing_spacing: 12h",
                                                     "min_marketing_spacing: 6h"))
    assert [f for f in _findings(project) if f[3] == "error"] == []


def test_transactional_journeys_are_not_held_to_marketing_spacing(project: Path) -> None:
    _journey(project, """\
id: j
name: Order updates
trigger: {event: purchase_completed}
purpose: transactional
steps:
  - send: {id: confirmation, template: welcome_tips}
  - wait: 1h
  - send: {id: shipped, template: welcome_tips}
""")
    assert [f for f in _findings(project) if f[3] == "error"] == []


def test_split_whose_branches_all_exit_makes_following_steps_unreachable(
        project: Path) -> None:
    _journey(project, """\
id: j
name: Dead end
trigger: {event: signup}
steps:
  - split:
      - if: "customer.has_account = true"
        steps: [{exit: has an account}]
      - else: [{exit: no account}]
  - send: {id: hello, template: welcome_tips}
""")
    errors = [f for f in _findings(project) if f[3] == "error"]
    assert [(f[1], f[2], f[4][:30]) for f in errors] == [(9, 5, "step 2 is unreachable: every p")]


def test_custom_attributes_set_by_update_steps_may_be_read(project: Path) -> None:
    _journey(project, """\
id: j
name: Tag then branch
trigger: {event: signup}
steps:
  - update: {id: mark, set: {segment: vip}}
  - wait: 1h
  - split:
      - if: "customer.segment = 'vip'"
        steps: [{send: {id: vip, template: welcome_tips}}]
""")
    assert [f for f in _findings(project) if f[3] == "error"] == []
