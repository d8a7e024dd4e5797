"""Finding 7 of issue 13: `purpose: transactional` bypassed consent, caps and quiet hours by a
one-word edit. `tact validate` now refuses it on promotional triggers unless the line carries a
commented, reasoned waiver; and a transactional send still honours explicit refusals and hard
suppressions."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tact.cli import app
from tests.support.paths import JOURNEYS

ABANDONED = (JOURNEYS / "abandoned_cart.yaml").read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "journeys"
    shutil.copytree(JOURNEYS, target)
    return target


def validate(project: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", str(project)])
    return result.exit_code, result.output


@pytest.mark.parametrize("trigger", ["cart_updated", "checkout_started", "lifecycle_changed",
                                     "signup", "account_created", "cart_emptied"])
def test_transactional_on_a_promotional_trigger_is_refused_at_its_line(
        project: Path, trigger: str) -> None:
    text = ABANDONED.replace("purpose: marketing", "purpose: transactional") \
        .replace("event: cart_updated", f"event: {trigger}") \
        .replace('  when: "cart.value >= 20"\n', "")
    (project / "abandoned_cart.yaml").write_text(text, encoding="utf-8")
    line = text.splitlines().index("purpose: transactional") + 1
    code, output = validate(project)
    assert code != 0
    assert re.search(rf"abandoned_cart\.yaml:{line}:\d+", output), output
    assert "allow-transactional" in output and "purpose: marketing" in output
    assert "Traceback" not in output


def test_a_reasoned_waiver_on_the_line_lets_it_validate(project: Path) -> None:
    text = ABANDONED.replace(
        "purpose: marketing",
        "purpose: transactional   # tact: allow-transactional cart kept for the customer "
        "at their request (ticket LEGAL-12)")
    (project / "abandoned_cart.yaml").write_text(text, encoding="utf-8")
    code, output = validate(project)
    assert code == 0, output


def test_a_waiver_without_a_reason_is_not_one(project: Path) -> None:
    text = ABANDONED.replace("purpose: marketing",
                             "purpose: transactional  # tact: allow-transactional")
    (project / "abandoned_cart.yaml").write_text(text, encoding="utf-8")
    assert validate(project)[0] != 0


def test_transactional_after_a_purchase_needs_no_waiver(project: Path) -> None:
    (project / "receipt.yaml").write_text("""\
id: receipt
name: Order confirmation
trigger: {event: purchase_completed}
purpose: transactional
steps:
  - send: {id: confirmation, channel: email, template: cart_reminder_1}
""", encoding="utf-8")
    _, output = validate(project)
    assert "allow-transactional" not in output
