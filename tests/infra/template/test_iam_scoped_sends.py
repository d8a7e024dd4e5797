"""Issue 13, security: each sending grant names exactly what this stack may use.

The statements of template.yaml are evaluated the way CloudFormation would for a stack named
``tact`` (intrinsics resolved, the nested journeys stack's outputs taken from the generated
template), then matched the way IAM matches resource ARNs (``*`` and ``?`` wildcards):

* ``sms-voice:SendTextMessage`` only from the configured origination identity;
* ``sns:Publish`` only to endpoints of the configured platform application;
* ``states:StartExecution`` / ``StopExecution`` only on this stack's journey machines, not on
  those of a stack whose name merely starts the same (``tact-staging``).
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

import pytest

from tact.infra_gen import load_template
from tests.support.paths import ROOT

TEMPLATE = load_template(ROOT / "template.yaml")
NESTED = json.loads((ROOT / "infra/generated/journeys.template.json").read_text())
STACK, REGION, ACCOUNT, PARTITION = "tact", "eu-west-1", "123456789012", "aws"
POOL = f"arn:aws:sms-voice:{REGION}:{ACCOUNT}:pool/pool-0123456789abcdef"
APP = f"arn:aws:sns:{REGION}:{ACCOUNT}:app/GCM/shop-app"
PARAMETERS = {"SmsOriginationIdentity": POOL, "PushPlatformApplicationArn": APP}
SENDERS = ["SendFunction", "BroadcastSendFunction"]


class Resolver:
    """Enough of CloudFormation's intrinsic functions to read policy resources."""

    def __init__(self, template: dict[str, Any], params: dict[str, str]) -> None:
        self.template = template
        self.params = {"AWS::StackName": STACK, "AWS::Region": REGION,
                       "AWS::AccountId": ACCOUNT, "AWS::Partition": PARTITION,
                       "AWS::URLSuffix": "amazonaws.com", **params}

    def condition(self, name: str) -> bool:
        return bool(self.value(self.template["Conditions"][name]))

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.value(v) for v in node]
        if not isinstance(node, dict) or len(node) != 1:
            return node
        (name, arg), = node.items()
        if name == "Ref":
            if arg in self.params:
                return self.params[arg]
            default = self.template.get("Parameters", {}).get(arg, {}).get("Default")
            return default if default is not None else f"<{arg}>"
        if name == "Fn::Sub":
            text, names = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
            for key, val in {**self.params, **{k: self.value(v) for k, v in names.items()}}.items():
                text = text.replace("${" + key + "}", str(val))
            return text
        if name == "Fn::Split":
            return str(self.value(arg[1])).split(arg[0])
        if name == "Fn::Select":
            return self.value(arg[1])[int(arg[0])]
        if name == "Fn::Join":
            return arg[0].join(str(v) for v in self.value(arg[1]))
        if name == "Fn::If":
            return self.value(arg[1] if self.condition(arg[0]) else arg[2])
        if name == "Fn::Equals":
            return self.value(arg[0]) == self.value(arg[1])
        if name == "Fn::Not":
            return not self.value(arg[0])
        if name == "Fn::GetAtt":
            target, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
            if target == "Journeys" and attribute.startswith("Outputs."):
                nested = Resolver(NESTED, {"NamePrefix": f"{STACK}-"})
                return nested.value(NESTED["Outputs"][attribute.removeprefix("Outputs.")]
                                    ["Value"])
            return f"<{target}.{attribute}>"
        return node


def resources(function: str, action: str, params: dict[str, str] | None = None) -> list[str]:
    resolver = Resolver(TEMPLATE, PARAMETERS if params is None else params)
    found: list[str] = []
    for policy in TEMPLATE["Resources"][function]["Properties"]["Policies"]:
        for statement in policy["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [
                statement["Action"]]
            if action in actions:
                value = resolver.value(statement["Resource"])
                for item in value if isinstance(value, list) else [value]:
                    found.extend(item if isinstance(item, list) else [item])
    assert found, f"{function} has no statement for {action}"
    return found


def allowed(arn: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(arn, p) for p in patterns)


@pytest.mark.parametrize("function", SENDERS)
def test_sms_is_sent_only_from_the_configured_origination_identity(function: str) -> None:
    granted = resources(function, "sms-voice:SendTextMessage")
    assert allowed(POOL, granted)
    for other in (f"arn:aws:sms-voice:{REGION}:{ACCOUNT}:pool/pool-someone-elses",
                  f"arn:aws:sms-voice:{REGION}:{ACCOUNT}:phone-number/phone-0123",
                  f"arn:aws:sms-voice:{REGION}:{ACCOUNT}:sender-id/SHOP/DE"):
        assert not allowed(other, granted), (other, granted)


@pytest.mark.parametrize("function", SENDERS)
def test_without_an_sms_identity_no_origination_identity_is_granted(function: str) -> None:
    granted = resources(function, "sms-voice:SendTextMessage", {})
    for other in (POOL, f"arn:aws:sms-voice:{REGION}:{ACCOUNT}:phone-number/phone-0123"):
        assert not allowed(other, granted), granted


@pytest.mark.parametrize("function", SENDERS)
def test_push_publishes_only_to_endpoints_of_the_configured_application(function: str) -> None:
    granted = resources(function, "sns:Publish")
    ours = f"arn:aws:sns:{REGION}:{ACCOUNT}:endpoint/GCM/shop-app/0f6d4c4e-1b2a-3c4d-5e6f"
    assert allowed(ours, granted)
    for other in (f"arn:aws:sns:{REGION}:{ACCOUNT}:endpoint/GCM/other-app/0f6d4c4e",
                  f"arn:aws:sns:{REGION}:{ACCOUNT}:endpoint/APNS/shop-app/0f6d4c4e",
                  f"arn:aws:sns:{REGION}:{ACCOUNT}:endpoint/GCM/shop-app-2/0f6d4c4e",
                  f"arn:aws:sns:{REGION}:{ACCOUNT}:some-topic"):
        assert not allowed(other, granted), (other, granted)
    assert not allowed(ours, resources(function, "sns:Publish", {}))


def test_journey_executions_of_this_stack_only() -> None:
    journeys = NESTED["Metadata"]["tact"]["journeys"]
    assert journeys
    start = resources("IngestFunction", "states:StartExecution")
    stop = resources("IngestFunction", "states:StopExecution")
    base = f"arn:aws:states:{REGION}:{ACCOUNT}"
    for journey in journeys:
        assert allowed(f"{base}:stateMachine:{STACK}-{journey}:live", start), start
        assert allowed(f"{base}:execution:{STACK}-{journey}:abc123", stop), stop
        for other_stack in (f"{STACK}-staging", f"{STACK}x"):
            assert not allowed(f"{base}:stateMachine:{other_stack}-{journey}:live", start)
            assert not allowed(f"{base}:execution:{other_stack}-{journey}:abc123", stop)
    assert not allowed(f"{base}:stateMachine:{STACK}-not_a_journey:live", start)
