"""The alarm every generated state machine carries: any failed execution notifies the stack's
alarm topic (journeys and broadcasts alike)."""

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
