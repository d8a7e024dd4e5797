"""What ``tact build`` writes for deployment: definitions, the bundle and the journeys' stack.

template.yaml never names a journey. It includes ``journeys.template.json`` (an
``AWS::Serverless::Application`` with a local ``Location``), which this module generates:
one state machine per journey, read from its ``<id>.asl.json`` through ``DefinitionUri`` with
the task functions filled in by ``DefinitionSubstitutions``, published under the alias
``live`` (``AutoPublishAlias``) so an edited journey becomes a new version while executions
already running stay on the version they started with. Adding a journey means
``tact build`` and a commit; ``tact build --check`` fails when the committed files are stale.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from tact.analytics.dashboard import journey_rows
from tact.broadcast.compiler import compile_broadcast
from tact.broadcast.infra import BROADCAST_PARAMETERS, broadcast_resources
from tact.broadcast.waves import first_wave
from tact.infra_alarms import failed_executions_alarm, state_machine_observability
from tact.journey.bundle import bundle_json
from tact.journey.bundle_builder import build as build_bundle
from tact.journey.compiler import definition_json
from tact.journey.project import Project

STACK_FILE = "journeys.template.json"
BUNDLE_FILE = "bundle.json"
ALIAS = "live"  # TACT_STATE_MACHINE_ALIAS: ingest starts executions through it

# ``${Name}`` placeholders the compiler writes into definitions -> the function they stand for.
TASK_FUNCTIONS = {"SendFunctionArn": "send", "DecideFunctionArn": "decide",
                  "ParkFunctionArn": "park"}

# Step Functions delivers logs through CloudWatch Logs' log-delivery API, whose actions do not
# support resource-level permissions: AWS requires Resource "*" for them.
LOG_DELIVERY_ACTIONS = [
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
]
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")


class UnknownPlaceholder(ValueError):
    pass


def logical_id(journey_id: str) -> str:
    """CloudFormation logical id of a journey: ``abandoned_cart`` -> ``AbandonedCart``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", journey_id))


def placeholders(definition_text: str) -> list[str]:
    found = sorted(set(_PLACEHOLDER.findall(definition_text)))
    unknown = [name for name in found if name not in TASK_FUNCTIONS]
    if unknown:
        raise UnknownPlaceholder(
            f"the compiled definition uses {', '.join(unknown)}, which the journeys stack does "
            f"not provide; add it to tact.infra_gen.TASK_FUNCTIONS and template.yaml")
    return found


def _state_machine(journey_id: str, version: str, text: str) -> dict[str, Any]:
    used = placeholders(text)
    invoke = [arn for name in used for arn in ({"Ref": name}, {"Fn::Sub": f"${{{name}}}:*"})]
    statements: list[dict[str, Any]] = [{
        "Sid": "LogDeliveryAwsRequiresResourceStar",
        "Effect": "Allow", "Action": LOG_DELIVERY_ACTIONS, "Resource": "*",
    }]
    if invoke:
        statements.insert(0, {"Sid": "InvokeTaskFunctions", "Effect": "Allow",
                              "Action": ["lambda:InvokeFunction"], "Resource": invoke})
    return {
        "Type": "AWS::Serverless::StateMachine",
        "Properties": {
            "Name": {"Fn::Sub": f"${{NamePrefix}}{journey_id}"},
            "DefinitionUri": f"{journey_id}.asl.json",
            "DefinitionSubstitutions": {name: {"Ref": name} for name in used},
            "AutoPublishAlias": ALIAS,
            **state_machine_observability(),
            "Policies": [{"Statement": statements}],
            "Tags": {"tact:journey": journey_id, "tact:journey-version": version},
        },
    }


def journeys_stack(definitions: dict[str, str], versions: dict[str, str],
                   broadcasts: dict[str, tuple[str, datetime]] | None = None) -> dict[str, Any]:
    """The nested SAM template: one aliased state machine and one alarm per journey, and per
    broadcast (``broadcasts``: id -> (version, start)) its state machine and schedule."""
    parameters: dict[str, Any] = {
        "NamePrefix": {"Type": "String", "Description": "state machine names start with it "
                       "(TACT_STATE_MACHINE_PREFIX)"},
        "LogGroupArn": {"Type": "String", "Description": "log group of all journey executions"},
        "AlarmTopicArn": {"Type": "String", "Description": "where alarms are sent"},
    }
    for name, function in TASK_FUNCTIONS.items():
        parameters[name] = {"Type": "String", "Description": f"ARN of the {function} function"}
    for name, description in BROADCAST_PARAMETERS.items():
        parameters[name] = {"Type": "String", "Description": description}
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    used_anywhere: set[str] = set()
    for journey_id, text in sorted(definitions.items()):
        machine = f"{logical_id(journey_id)}StateMachine"
        resources[machine] = _state_machine(journey_id, versions[journey_id], text)
        resources[f"{logical_id(journey_id)}FailedAlarm"] = failed_executions_alarm(
            machine, f"Executions of journey {journey_id} failed (send or decide errors after "
            "retries). See the state machine's log group.")
        used_anywhere.update(placeholders(text))
        outputs[f"{logical_id(journey_id)}Alias"] = {
            "Description": f"alias '{ALIAS}' of journey {journey_id}",
            "Value": {"Ref": f"{machine}Alias{ALIAS}"},
        }
    for broadcast_id, (version, start) in sorted((broadcasts or {}).items()):
        resources.update(broadcast_resources(broadcast_id, logical_id(broadcast_id), version,
                                             start, ALIAS, LOG_DELIVERY_ACTIONS))
    if not resources:  # a stack needs one resource; this one does nothing and costs nothing
        resources["NoJourneysYet"] = {"Type": "AWS::CloudFormation::WaitConditionHandle"}
    # Every task function is a parameter so the parent passes a fixed set; a function no
    # journey uses yet is still echoed in an output so linters see the parameter used.
    # The ingest function starts and stops exactly these machines' executions (not every
    # machine whose name starts with the stack's: `tact-*` would match `tact-staging-*` too).
    arn = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}"
    machines = [f"{arn}:stateMachine:${{NamePrefix}}{j}{q}"
                for j in sorted(definitions) for q in ("", ":*")]
    executions = [f"{arn}:execution:${{NamePrefix}}{j}:*" for j in sorted(definitions)]
    nothing = [f"{arn}:stateMachine:${{NamePrefix}}"]  # no journeys: a name no machine has
    outputs["JourneyStateMachines"] = {
        "Description": "ARNs of the journey state machines (with their aliases and versions)",
        "Value": {"Fn::Join": [",", [{"Fn::Sub": a} for a in machines or nothing]]},
    }
    outputs["JourneyExecutions"] = {
        "Description": "ARN patterns of the journey state machines' executions",
        "Value": {"Fn::Join": [",", [{"Fn::Sub": a} for a in executions or nothing]]},
    }
    outputs["TaskFunctions"] = {
        "Description": "task functions the journeys may invoke",
        "Value": {"Fn::Join": [",", [{"Ref": name} for name in TASK_FUNCTIONS]]},
    }
    rows = journey_rows(sorted(definitions))
    outputs["DashboardRows"] = {
        "Description": "one dashboard row per journey (template.yaml's dashboard adds them)",
        # A leading comma when there are rows: the parent appends them to its own widgets.
        "Value": {"Fn::Sub": f",{rows}" if rows else " "},
    }
    outputs["BroadcastSettings"] = {
        "Description": "what broadcasts use (also when there are none yet)",
        "Value": {"Fn::Join": [",", [{"Ref": name} for name in BROADCAST_PARAMETERS]]},
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": "Tact journey state machines. GENERATED by `tact build` from journeys/: "
                       "do not edit, run `tact build` instead.",
        "Metadata": {"tact": {"journeys": sorted(definitions),
                              "versions": dict(sorted(versions.items())),
                              **({"broadcasts": sorted(broadcasts)} if broadcasts else {})}},
        "Parameters": parameters,
        "Resources": resources,
        "Outputs": outputs,
    }


def generated_files(project: Project) -> dict[str, str]:
    """Every file ``tact build`` writes, by name, with its exact text."""
    bundle, compiled = build_bundle(project)
    texts = {jid: definition_json(d) for jid, d in compiled.items()}
    versions = {jid: bundle.journeys[jid].version for jid in compiled}
    files = {f"{jid}.asl.json": text for jid, text in texts.items()}
    files[BUNDLE_FILE] = bundle_json(bundle)
    starts: dict[str, tuple[str, datetime]] = {}
    for bid, runtime in bundle.broadcasts.items():
        files[f"{bid}.asl.json"] = definition_json(
            compile_broadcast(runtime, project.broadcasts[bid].name))
        starts[bid] = (runtime.version, first_wave(runtime.definition(), bundle.settings))
    stack = journeys_stack(texts, versions, starts)
    files[STACK_FILE] = json.dumps(stack, indent=1, sort_keys=False) + "\n"
    return files


def stale_files(out_dir: Path, files: dict[str, str]) -> list[str]:
    """What differs between ``out_dir`` and a fresh build: changed, missing or left-over files."""
    problems = []
    for name, text in sorted(files.items()):
        path = out_dir / name
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path}: out of date")
    for path in sorted(out_dir.glob("*.asl.json")):
        if path.name not in files:
            problems.append(f"{path}: no journey or broadcast of that id any more")
    return problems


def write_files(out_dir: Path, files: dict[str, str]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in out_dir.glob("*.asl.json"):
        if path.name not in files:
            path.unlink()  # a removed or renamed journey must not linger in the deployment
    written = []
    for name, text in sorted(files.items()):
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def load_template(path: Path) -> dict[str, Any]:
    """A CloudFormation YAML template as plain data; short-form intrinsics (``!Ref X``) become
    their long form (``{"Ref": "X"}``), so tests can read template.yaml's own declarations."""
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import SafeConstructor
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    class CfnConstructor(SafeConstructor):
        pass

    def intrinsic(loader: Any, suffix: str, node: Any) -> dict[str, Any]:
        name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
        if isinstance(node, ScalarNode):
            value: Any = loader.construct_scalar(node)
            if suffix == "GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        elif isinstance(node, MappingNode):
            value = loader.construct_mapping(node, deep=True)
        return {name: value}

    CfnConstructor.add_multi_constructor("!", intrinsic)
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = CfnConstructor
    return dict(yaml.load(path.read_text(encoding="utf-8")))
