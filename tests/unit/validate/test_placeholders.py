"""Issue 15 finding 3 / acceptance 2: a template still holding the importer's placeholder is a
validate error (and `tact build` refuses); `tact import-pinpoint` exits 1 whenever something
must be filled in, and its report never contradicts the language."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from tact.cli import app

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "e2e" / "pinpoint" / "fixtures"


def _fill_in(journeys: Path) -> None:
    for path in (journeys / "templates").glob("*.yaml"):
        text = re.sub(r"FILL IN:?", "Written by the marketer:", path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")


def test_imported_placeholder_templates_fail_validate_and_build(tmp_path: Path) -> None:
    journeys = tmp_path / "journeys"
    runner = CliRunner()
    imported = runner.invoke(app, ["import-pinpoint", str(FIXTURES / "abandoned_cart.json"),
                                   "--out", str(journeys)])
    assert imported.exit_code == 1, imported.output
    validate = runner.invoke(app, ["validate", str(journeys)])
    assert validate.exit_code == 1
    squashed = " ".join(validate.output.split())
    assert re.search(r"templates/\w+\.yaml:\d+:\d+: error: template still holds the importer's "
                     r"placeholder text \(FILL IN\)", squashed), squashed
    build = runner.invoke(app, ["build", "--journeys", str(journeys), "--out",
                                str(tmp_path / "out")])
    assert build.exit_code == 1 and not (tmp_path / "out").exists()
    _fill_in(journeys)
    assert runner.invoke(app, ["validate", str(journeys)]).exit_code == 0


def test_import_exits_1_when_the_report_says_to_fill_something_in(tmp_path: Path) -> None:
    """cross_sell_ab has a webhook URL to fill in; it exited 0 under "You must fill in (1)"."""
    journeys = tmp_path / "journeys"
    (journeys / "templates").mkdir(parents=True)
    for name in ("cross_sell_a", "cross_sell_b", "review_request"):
        (journeys / "templates" / f"{name}.yaml").write_text(
            'email: {subject: "Hi", text: "{{ links.unsubscribe }}"}\n'
            'webhook: {body: "{}"}\n')
    result = CliRunner().invoke(app, ["import-pinpoint", str(FIXTURES / "cross_sell_ab.json"),
                                      "--out", str(journeys)])
    text = " ".join(result.output.split())
    assert "You must fill in (1)" in text
    assert result.exit_code == 1, result.output


def test_the_import_report_never_says_tact_lacks_wait_for(tmp_path: Path) -> None:
    for fixture in sorted(FIXTURES.glob("*.json")):
        result = CliRunner().invoke(app, ["import-pinpoint", str(fixture), "--out",
                                          str(tmp_path / fixture.stem)])
        text = " ".join(result.output.split())
        assert "no wait-for-event step" not in text, fixture.name
        written = "".join(p.read_text() for p in (tmp_path / fixture.stem).glob("*.yaml"))
        assert "no wait-for-event step" not in written, fixture.name


def test_an_event_condition_with_attributes_becomes_wait_for_with_when(tmp_path: Path) -> None:
    import json

    data = json.loads((FIXTURES / "first_purchase.json").read_text())
    journey = data.get("JourneyResponse", data)
    condition = journey["Activities"]["boughtYet"]["ConditionalSplit"]["Condition"]
    condition["Conditions"][0]["EventCondition"]["Dimensions"]["Metrics"] = {
        "value": {"ComparisonOperator": "GREATER_THAN_OR_EQUAL", "Value": 50}}
    source = tmp_path / "first_purchase.json"
    source.write_text(json.dumps(data))
    result = CliRunner().invoke(app, ["import-pinpoint", str(source), "--out",
                                      str(tmp_path / "journeys")])
    text = " ".join(result.output.split())
    assert "yes/no split on purchase_completed (with its attributes) within the evaluation " \
           "wait -> wait_for" in text
    written = "".join(p.read_text() for p in (tmp_path / "journeys").glob("*.yaml")
                      if p.name != "settings.yaml")
    assert "when: order.value >= 50" in written or "when: 'order.value >= 50'" in written \
        or 'when: "order.value >= 50"' in written, written
