"""What every generated state machine carries, journeys and broadcasts alike: the alarm (any
failed execution notifies the stack's alarm topic), X-Ray tracing and its error log."""

from __future__ import annotations

from typing import Any


def failed_executions_alarm(machine: str, description: str) -> dict[str, Any]:
    """``machine``: the state machine's logical id in the same template."""
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            "Namespace": "AWS/States", "MetricName": "ExecutionsFailed",
            "Dimensions": [{"Name": "StateMachineArn", "Value": {"Ref": machine}}],
            "Statistic": "Sum", "Period": 300, "EvaluationPeriods": 1, "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopicArn"}],
        },
    }


def state_machine_observability() -> dict[str, Any]:
    """A state machine's X-Ray tracing and its errors logged (without execution data: inputs
    and outputs name customers) to the stack's log group: journeys and broadcasts alike."""
    return {
        "Tracing": {"Enabled": True},
        "Logging": {
            "Level": "ERROR", "IncludeExecutionData": False,
            "Destinations": [
                {"CloudWatchLogsLogGroup": {"LogGroupArn": {"Ref": "LogGroupArn"}}}],
        },
    }
