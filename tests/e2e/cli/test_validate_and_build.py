"""Issue 3 acceptance: `tact validate` errors point at file:line:col; `tact build` output is
accepted by Step Functions (moto's CreateStateMachine) and by the asl-validator."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from tact.cli import app
from tests.support.paths import JOURNEYS

runner = CliRunner()


def copy_journeys(tmp_path: Path) -> Path:
    target = tmp_path / "journeys"
    shutil.copytree(JOURNEYS, target)
    return target


def test_the_example_journeys_validate() -> None:
    result = runner.invoke(app, ["validate", str(JOURNEYS)])
    assert result.exit_code == 0, result.output


def test_a_typo_in_a_field_names_file_line_column_and_suggests_the_field(tmp_path: Path) -> None:
    folder = copy_journeys(tmp_path)
    path = folder / "abandoned_cart.yaml"
    text = path.read_text()
    path.write_text(text.replace("template: cart_reminder_2", "tempalte: cart_reminder_2"))
    line = next(n for n, row in enumerate(path.read_text().splitlines(), 1) if "tempalte" in row)
    col = path.read_text().splitlines()[line - 1].index("tempalte") + 1
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    assert f"{path}:{line}:{col}: error: unknown field 'tempalte'" in result.stderr
    assert "did you mean 'template'?" in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_template_is_reported_with_a_suggestion(tmp_path: Path) -> None:
    folder = copy_journeys(tmp_path)
    path = folder / "abandoned_cart.yaml"
    path.write_text(path.read_text().replace("template: cart_reminder_1",
                                             "template: cart_remindr_1"))
    line = next(n for n, row in enumerate(path.read_text().splitlines(), 1)
                if "cart_remindr_1" in row)
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    assert f"{path}:{line}:" in result.stderr
    assert "template 'cart_remindr_1' not found" in result.stderr
    assert "did you mean 'cart_reminder_1'?" in result.stderr


def test_invalid_yaml_is_an_error_with_a_position_not_a_traceback(tmp_path: Path) -> None:
    folder = copy_journeys(tmp_path)
    (folder / "broken.yaml").write_text("id: broken\nsteps: [\n  - wait: 2h\n")
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    assert f"{folder / 'broken.yaml'}:" in result.stderr
    assert "invalid YAML" in result.stderr
    assert "Traceback" not in result.output


@pytest.fixture
def built(tmp_path: Path) -> Path:
    out = tmp_path / "generated"
    result = runner.invoke(app, ["build", "--out", str(out), "--journeys", str(JOURNEYS)])
    assert result.exit_code == 0, result.output
    return out


def test_build_writes_a_definition_step_functions_accepts(built: Path) -> None:
    text = (built / "abandoned_cart.asl.json").read_text()
    definition = text.replace("${SendFunctionArn}",
                              "arn:aws:lambda:us-east-1:123456789012:function:send")
    with mock_aws():
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        made = sfn.create_state_machine(name="abandoned_cart", definition=definition,
                                        roleArn="arn:aws:iam::123456789012:role/tact")
        stored = sfn.describe_state_machine(stateMachineArn=made["stateMachineArn"])
    assert json.loads(stored["definition"])["QueryLanguage"] == "JSONata"
    assert "bundle.json" in {p.name for p in built.iterdir()}


def test_build_output_passes_asl_validator(built: Path) -> None:
    npx = shutil.which("npx")
    if npx is None:
        pytest.skip("node/npx is not installed here, so the npm asl-validator cannot run")
    result = subprocess.run(
        [npx, "--yes", "asl-validator@4", "--json-path", str(built / "abandoned_cart.asl.json")],
        capture_output=True, text=True, timeout=300, check=False,
    )
    if result.returncode != 0 and "ENOTFOUND" in result.stderr + result.stdout:
        pytest.skip("the npm registry is not reachable, so asl-validator cannot be fetched")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is valid" in result.stdout
