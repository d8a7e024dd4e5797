"""Issue 15 finding 7: two marketing journeys on one trigger warn, naming both and the cap that
decides (also when `tact new X --from Y` puts X beside Y); `ab_split` has an example, and the
natural first guess at its shape is answered with the right one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tact.cli import app
from tact.journey.project import load_project

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "journeys" / "examples"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "templates", tmp_path / "templates")
    shutil.copy(EXAMPLES / "settings.yaml", tmp_path / "settings.yaml")
    shutil.copy(EXAMPLES / "abandoned_cart.yaml", tmp_path / "abandoned_cart.yaml")
    return tmp_path


def _warnings(project: Path) -> list[str]:
    return [d.message for d in load_project(project).diagnostics if d.severity == "warning"]


def test_tact_new_beside_the_original_warns_of_two_journeys_on_one_trigger(
        project: Path) -> None:
    result = CliRunner().invoke(app, ["new", "cart_rescue", "--from", "abandoned_cart",
                                      "-j", str(project)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert ("cart_rescue.yaml:6:3: warning: journeys 'abandoned_cart' and 'cart_rescue' both "
            "start on cart_updated") in text
    assert "abandoned_cart/reminder_1 and cart_rescue/reminder_1 0s apart" in text
    assert "the marketing cap any: 2 per 1d decides, and lets both through" in text


def test_the_cap_that_decides_is_named_for_what_it_does(project: Path) -> None:
    shutil.copy(project / "abandoned_cart.yaml", project / "second.yaml")
    second = project / "second.yaml"
    second.write_text(second.read_text().replace("id: abandoned_cart", "id: second"))
    settings = project / "settings.yaml"
    settings.write_text(settings.read_text().replace("{max: 2, per: 24h}", "{max: 1, per: 24h}"))
    found = _warnings(project)
    assert len(found) == 1
    assert found[0].endswith("the marketing cap any: 1 per 1d decides: only the first of the "
                             "two is sent")


def test_no_warning_when_triggers_differ_or_sends_are_far_apart(project: Path) -> None:
    other = (project / "abandoned_cart.yaml").read_text().replace(
        "id: abandoned_cart", "id: later")
    (project / "later.yaml").write_text(other.replace("  - wait: 2h\n", "  - wait: 5d\n", 1))
    assert "  - wait: 5d\n" in (project / "later.yaml").read_text()
    assert _warnings(project) == []
    (project / "later.yaml").write_text(other.replace("cart_updated", "checkout_started"))
    assert _warnings(project) == []


def test_the_ab_split_example_validates_and_tact_new_offers_it(tmp_path: Path) -> None:
    assert "checkout_reminder" in load_project(EXAMPLES).journeys
    result = CliRunner().invoke(app, ["new", "subject_test", "--from", "checkout_reminder",
                                      "-j", str(tmp_path)])
    assert result.exit_code == 0, result.output
    shutil.copy(EXAMPLES / "settings.yaml", tmp_path / "settings.yaml")
    assert CliRunner().invoke(app, ["validate", str(tmp_path)]).exit_code == 0
    assert "checkout_reminder" in (ROOT / "Makefile").read_text().split("EXAMPLES :=")[1] \
        .splitlines()[0]


def test_the_natural_first_guess_at_ab_split_is_answered_with_its_shape(project: Path) -> None:
    (project / "guess.yaml").write_text(
        "id: guess\nname: Guess\ntrigger: {event: signup}\nsteps:\n  - wait: 1h\n"
        "  - ab_split:\n      a:\n        - send: {id: a1, template: welcome_tips}\n"
        "      b:\n        - send: {id: b1, template: welcome_login}\n")
    result = CliRunner().invoke(app, ["validate", str(project)])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "guess.yaml:7:7: error: Input should be a valid list" in text
    assert "hint: a list of variants, each with a name, a weight and steps" in text
    assert "guess.yaml:6:5: error: missing required field 'id'" in text
    assert "an ab_split step names its test beside the variants" in text
