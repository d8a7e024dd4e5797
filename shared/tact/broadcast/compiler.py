"""Compile a broadcast into an Amazon States Language definition (JSONata query language).

The very JSON that is deployed and that the local executor runs:

* An EventBridge Scheduler schedule starts it at the broadcast's first possible wave.
* ``segments``: a Distributed Map, one child workflow per parallel-scan segment of the table
  (``${BroadcastScanSegments}``), all running at once.
* Each child: ``audience`` reads its segment's members in batches by wave; then, batch after
  batch, ``wait`` until the batch's wave (and until the segment's pacing allows), ``send`` the
  batch through the send path, and loop. Customers deferred by quiet hours come back as new
  batches at the end. A batch that still fails after its retries is counted, and the run ends
  ``Tact.BroadcastIncomplete`` once every segment is done (the failed-executions alarm).

The throttle: every child sends at most ``throttle / segments`` messages per second (each
batch is followed by a pause of ``batch size x segments / throttle``, counted from the
batch's end), so all segments together stay within ``throttle``, whatever MaxConcurrency.
"""

from __future__ import annotations

from typing import Any

from tact.broadcast.runtime import BroadcastRuntime
from tact.broadcast.service import MAX_SEGMENTS
from tact.journey.compiler import TRANSIENT_ERRORS, _expr

AUDIENCE_FUNCTION = "${BroadcastAudienceFunctionArn}"
SEND_BATCH_FUNCTION = "${BroadcastSendFunctionArn}"
SEGMENTS = "${BroadcastScanSegments}"
RETRY = [{"ErrorEquals": TRANSIENT_ERRORS, "IntervalSeconds": 2, "MaxAttempts": 6,
          "BackoffRate": 2.0, "MaxDelaySeconds": 300, "JitterStrategy": "FULL"}]


def _task(function: str, payload: dict[str, Any], comment: str) -> dict[str, Any]:
    return {"Type": "Task", "Comment": comment, "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": function, "Payload": payload},
            "Retry": RETRY}


def _child(broadcast: str) -> dict[str, Any]:
    audience = _task(AUDIENCE_FUNCTION, {
        "broadcast": broadcast, "segment": _expr("$states.input.segment"),
        "total_segments": _expr("$states.input.total_segments")},
        "this segment's members of the audience, in batches by wave")
    audience["Assign"] = {"batches": _expr("$states.result.Payload.batches"), "next": 0,
                          "free_at": 0, "failed": 0,
                          "total": _expr("$states.input.total_segments")}
    audience["Next"] = "more"
    send = _task(SEND_BATCH_FUNCTION, {
        "broadcast": broadcast, "at": _expr("$batches[$next].at"),
        "customers": _expr("$batches[$next].customers[]"), "total_segments": _expr("$total")},
        "one batch through the send path; a retry finds what it already sent")
    send["Assign"] = {"batches": _expr("$append($batches, $states.result.Payload.deferred)"),
                      "next": _expr("$next + 1"),
                      "free_at": _expr("$millis() + $states.result.Payload.pause_ms")}
    send["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "batch_failed"}]
    send["Next"] = "more"
    return {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "audience",
        "States": {
            "audience": audience,
            "more": {"Type": "Choice",
                     "Choices": [{"Condition": _expr("$next < $count($batches)"),
                                  "Next": "wait"}],
                     "Default": "segment_done"},
            "wait": {"Type": "Wait",
                     "Comment": "until the batch's wave, and the segment's pacing, allow",
                     "Timestamp": _expr("$fromMillis($max([$toMillis($batches[$next].at), "
                                        "$free_at]))"),
                     "Next": "send"},
            "send": send,
            "batch_failed": {"Type": "Pass", "Comment": "counted; the other batches go on",
                             "Assign": {"next": _expr("$next + 1"),
                                        "failed": _expr("$failed + 1")},
                             "Next": "more"},
            "segment_done": {"Type": "Succeed", "Output": _expr("$failed")},
        },
    }


def compile_broadcast(runtime: BroadcastRuntime, name: str) -> dict[str, Any]:
    return {
        "Comment": f"Tact broadcast {runtime.id}: {name}",
        "QueryLanguage": "JSONata",
        "StartAt": "segments",
        "States": {
            "segments": {
                "Type": "Map",
                "Comment": "one child workflow per parallel-scan segment, all at once",
                "Items": _expr(f"[0..($number('{SEGMENTS}') - 1)]"),
                "ItemSelector": {"segment": _expr("$states.context.Map.Item.Value"),
                                 "total_segments": _expr(f"$number('{SEGMENTS}')")},
                "MaxConcurrency": MAX_SEGMENTS,
                "ItemProcessor": _child(runtime.id),
                "Next": "outcome",
            },
            "outcome": {"Type": "Choice",
                        "Choices": [{"Condition": _expr("$sum($states.input) > 0"),
                                     "Next": "incomplete"}],
                        "Default": "done"},
            "incomplete": {"Type": "Fail", "Error": "Tact.BroadcastIncomplete",
                           "Cause": "batches failed after their retries; see the child "
                                    "executions of the map run"},
            "done": {"Type": "Succeed"},
        },
    }
