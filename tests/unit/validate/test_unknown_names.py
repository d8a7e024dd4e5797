"""Issue 15 finding 1: a misspelled name is an error with a true "did you mean", wherever it is
read (trigger, exit rule, split, template), and names the shop declares in settings are known."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tact.cli import app
from tact.journey.project import load_project

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "journeys" / "examples"

CART = """\
id: j
name: Cart
trigger: {event: cart_updated, when: "TRIGGER"}
exit_on: [purchase_completed]
steps:
  - wait: 2h
  - split:
      - if: "SPLIT"
        steps: [{send: {id: vip, template: TEMPLATE}}]
      - else: [{send: {id: reminder, template: cart_reminder_1}}]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "templates", tmp_path / "templates")
    shutil.copy(EXAMPLES / "settings.yaml", tmp_path / "settings.yaml")
    return tmp_path


def _write(project: Path, trigger: str = "cart.value >= 20", split: str = "cart.value > 100",
           template: str = "cart_reminder_2") -> None:
    (project / "j.yaml").write_text(CART.replace("TRIGGER", trigger).replace("SPLIT", split)
                                    .replace("TEMPLATE", template), encoding="utf-8")


def _problems(project: Path) -> list[tuple[str, str, str]]:
    return [(d.severity, d.message, d.hint) for d in load_project(project).diagnostics]


def test_misspelled_field_in_a_trigger_is_an_error_that_names_the_real_one(project: Path) -> None:
    _write(project, trigger="cart.amount >= 20")
    result = CliRunner().invoke(app, ["validate", str(project)])
    assert result.exit_code == 1, result.output
    assert "j.yaml:3:39: error: unknown field cart.amount of cart_updated" in result.output
    assert "did you mean 'value'?" in result.output


def test_misspelled_field_in_a_split_is_an_error_not_a_silent_else(project: Path) -> None:
    _write(project, split="cart.total > 100")
    errors = [p for p in _problems(project) if p[0] == "error"]
    assert errors and errors[0][1] == "unknown field cart.total of cart_updated"
    assert "did you mean 'value'?" in errors[0][2]


def test_unknown_field_of_a_nested_item_is_an_error(project: Path) -> None:
    _write(project, split="cart.items.cost > 100")
    errors = [p for p in _problems(project) if p[0] == "error"]
    assert errors and errors[0][1] == "unknown field cart.items.cost of cart_updated"
    assert "did you mean 'price'?" in errors[0][2]


def test_unknown_field_in_a_template_is_an_error(project: Path) -> None:
    (project / "templates" / "vip.yaml").write_text(
        'email:\n  subject: "Your cart"\n'
        '  text: "Total {{ cart.amount }} {{ links.unsubscribe }}"\n')
    _write(project, template="vip")
    errors = [p for p in _problems(project) if p[0] == "error"]
    assert errors and errors[0][1].startswith("unknown field cart.amount of cart_updated")


def test_no_hint_claims_a_condition_with_a_missing_field_skips_a_message(project: Path) -> None:
    _write(project, trigger="cart.coupon = 'X'")
    found = _problems(project)
    assert found and found[0][0] == "error"
    assert all("message is not sent" not in hint for _, _, hint in found)
    assert "event_fields" in found[0][2]  # says how to declare a field the shop really sends


def test_declared_event_fields_and_customer_attributes_are_known(project: Path) -> None:
    settings = project / "settings.yaml"
    settings.write_text(settings.read_text() + (
        "event_fields:\n  cart_updated: {coupon: string, shipping: number}\n"
        "customer_attributes: {loyalty_tier: string}\n"), encoding="utf-8")
    (project / "templates" / "vip.yaml").write_text(
        'email:\n  subject: "Your cart"\n'
        '  text: "{{ cart.coupon }} {{ customer.loyalty_tier }} {{ links.unsubscribe }}"\n')
    _write(project, trigger="cart.shipping >= 0", split="customer.loyalty_tier = 'gold'",
           template="vip")
    assert _problems(project) == []


def test_declared_attribute_with_an_unknown_type_is_an_error(project: Path) -> None:
    settings = project / "settings.yaml"
    settings.write_text(settings.read_text() + "customer_attributes: {tier: strng}\n")
    _write(project)
    found = _problems(project)
    assert found and found[0][0] == "error" and "strng" in found[0][1] + found[0][2]


def test_declared_attribute_may_not_shadow_a_built_in_one(project: Path) -> None:
    settings = project / "settings.yaml"
    settings.write_text(settings.read_text() + "customer_attributes: {order_count: string}\n")
    _write(project)
    found = _problems(project)
    assert found and found[0][0] == "error" and "order_count" in found[0][1]


def test_a_field_read_through_event_data_is_checked_too(project: Path) -> None:
    _write(project, trigger="event.data.amount >= 20")
    errors = [p for p in _problems(project) if p[0] == "error"]
    assert errors and errors[0][1] == "unknown field event.data.amount of cart_updated"
    assert "did you mean 'value'?" in errors[0][2]
    _write(project, trigger="event.data.value >= 20")
    assert _problems(project) == []


def test_declaring_sensitive_data_is_an_error_unless_waived(project: Path) -> None:
    settings = project / "settings.yaml"
    base = settings.read_text()
    settings.write_text(base + "customer_attributes:\n  gender: string\n")
    _write(project)
    found = _problems(project)
    assert found and found[0][0] == "error" and "gender is gender data" in found[0][1]
    settings.write_text(base + "customer_attributes:\n"
                        "  # tact: allow-sensitive gender - sizing of garments, approved by DPO\n"
                        "  gender: string\n")
    assert _problems(project) == []
