"""A broadcast in the generated journeys stack: its state machine, the EventBridge Scheduler
schedule that starts it (a one-time ``at()`` schedule, SAM's ``ScheduleV2`` event, through
the alias ``live``) and its failed-executions alarm."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tact.infra_alarms import failed_executions_alarm, state_machine_observability

# ``${Name}`` placeholders in broadcast definitions -> the journeys-stack parameter behind them.
BROADCAST_PARAMETERS = {
    "BroadcastAudienceFunctionArn": "ARN of the broadcast_audience function",
    "BroadcastSendFunctionArn": "ARN of the broadcast_send function",
    "BroadcastScanSegments": "parallel-scan segments (child workflows) per broadcast",
}


def schedule_expression(start: datetime) -> str:
    """EventBridge Scheduler's one-time form, in UTC: ``at(yyyy-mm-ddThh:mm:ss)``."""
    return f"at({start.strftime('%Y-%m-%dT%H:%M:%S')})"


def broadcast_resources(broadcast_id: str, logical: str, version: str, start: datetime,
                        alias: str, log_delivery_actions: list[str]) -> dict[str, Any]:
    machine = f"{logical}Broadcast"
    name = f"${{NamePrefix}}{broadcast_id}"
    arn = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}"
    statements = [
        {"Sid": "InvokeBroadcastFunctions", "Effect": "Allow",
         "Action": ["lambda:InvokeFunction"],
         "Resource": [{"Ref": "BroadcastAudienceFunctionArn"},
                      {"Fn::Sub": "${BroadcastAudienceFunctionArn}:*"},
                      {"Ref": "BroadcastSendFunctionArn"},
                      {"Fn::Sub": "${BroadcastSendFunctionArn}:*"}]},
        # The Distributed Map starts its child workflows as executions of this state machine.
        {"Sid": "DistributedMapChildWorkflows", "Effect": "Allow",
         "Action": ["states:StartExecution"],
         "Resource": [{"Fn::Sub": f"{arn}:stateMachine:{name}"},
                      {"Fn::Sub": f"{arn}:stateMachine:{name}:*"}]},
        {"Sid": "DistributedMapChildExecutions", "Effect": "Allow",
         "Action": ["states:DescribeExecution", "states:StopExecution"],
         "Resource": [{"Fn::Sub": f"{arn}:execution:{name}/*"},
                      {"Fn::Sub": f"{arn}:execution:{name}:*"}]},
        {"Sid": "LogDeliveryAwsRequiresResourceStar", "Effect": "Allow",
         "Action": log_delivery_actions, "Resource": "*"},
    ]
    return {
        machine: {
            "Type": "AWS::Serverless::StateMachine",
            "Properties": {
                "Name": {"Fn::Sub": name},
                "DefinitionUri": f"{broadcast_id}.asl.json",
                "DefinitionSubstitutions": {p: {"Ref": p} for p in BROADCAST_PARAMETERS},
                "AutoPublishAlias": alias,
                "UseAliasAsEventTarget": True,
                **state_machine_observability(),
                "Policies": [{"Statement": statements}],
                "Events": {"Start": {"Type": "ScheduleV2", "Properties": {
                    "ScheduleExpression": schedule_expression(start),
                    "ScheduleExpressionTimezone": "UTC",
                    "Description": f"Tact broadcast {broadcast_id}: its first possible wave",
                    "RetryPolicy": {"MaximumRetryAttempts": 3,
                                    "MaximumEventAgeInSeconds": 3600},
                }}},
                "Tags": {"tact:broadcast": broadcast_id, "tact:broadcast-version": version},
            },
        },
        f"{logical}BroadcastFailedAlarm": failed_executions_alarm(
            machine, f"Broadcast {broadcast_id} failed or is incomplete (batches failed after "
            "retries). See its map run."),
    }
