"""A broadcast in the generated journeys stack: its state machine (Distributed Map over scan
segments), the EventBridge Scheduler schedule at its first wave, its alarm; lint-clean."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tact.infra_gen import generated_files, write_files
from tact.journey.project import load_project, require_valid
from tests.support.paths import JOURNEYS, ROOT

INFRA_BIN = ROOT / ".venv-infra" / "bin"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    write_files(out, generated_files(require_valid(load_project(JOURNEYS / "examples"))))
    return out


def test_the_broadcast_is_a_scheduled_aliased_state_machine(stack: Path) -> None:
    template = json.loads((stack / "journeys.template.json").read_text())
    machine = template["Resources"]["AutumnRangeBroadcast"]["Properties"]
    assert machine["DefinitionUri"] == "autumn_range.asl.json"
    assert machine["UseAliasAsEventTarget"] is True and machine["AutoPublishAlias"] == "live"
    start = machine["Events"]["Start"]
    assert start["Type"] == "ScheduleV2"
    # 10:00 on 5 November at UTC+14, the earliest zone: 20:00 UTC the day before.
    assert start["Properties"]["ScheduleExpression"] == "at(2026-11-04T20:00:00)"
    assert start["Properties"]["ScheduleExpressionTimezone"] == "UTC"
    actions = {a for s in machine["Policies"][0]["Statement"] for a in s["Action"]}
    assert {"lambda:InvokeFunction", "states:StartExecution", "states:DescribeExecution",
            "states:StopExecution"} <= actions
    assert "AutumnRangeBroadcastFailedAlarm" in template["Resources"]
    definition = json.loads((stack / "autumn_range.asl.json").read_text())
    processor = definition["States"]["segments"]["ItemProcessor"]
    assert processor["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    assert set(re.findall(r"\$\{(\w+)\}", json.dumps(definition))) == {
        "BroadcastAudienceFunctionArn", "BroadcastSendFunctionArn", "BroadcastScanSegments"}


def test_the_stack_with_a_broadcast_passes_cfn_lint_and_sam_validate(stack: Path) -> None:
    lint, sam = INFRA_BIN / "cfn-lint", INFRA_BIN / "sam"
    if not lint.exists() or not sam.exists():
        pytest.skip("the infra tools are not installed (make lint-infra installs them)")
    template = stack / "journeys.template.json"
    found = subprocess.run([str(lint), str(template)], capture_output=True, text=True)
    assert found.returncode == 0, found.stdout + found.stderr
    env = {"PATH": f"{INFRA_BIN}:/usr/bin:/bin", "SAM_CLI_TELEMETRY": "0",
           "AWS_DEFAULT_REGION": "us-east-1", "HOME": str(stack)}
    checked = subprocess.run([str(sam), "validate", "--lint", "--template", str(template)],
                             capture_output=True, text=True, env=env, cwd=stack)
    assert checked.returncode == 0, checked.stdout + checked.stderr
