"""The AWS calls each Lambda function makes: the declared source of its IAM policy.

Two tables, both checked by tests/infra/template/test_infra_iam.py:
- ``CALL_SITES``: which module of the package (or handler file) calls which AWS operations.
  The test reads every module a function can import and fails when a module calls an
  operation not listed here (or a listed one no longer appears), so a new AWS call cannot
  slip past this file.
- ``FUNCTIONS``: which of those operations each function uses. The test checks each is made
  by a module the function imports, and that template.yaml grants each function exactly these
  actions (plus the KMS use they imply), on named resources.

Operations are botocore's names (``put_item``); ``iam_actions`` turns them into IAM actions.
"""

from __future__ import annotations

from functools import cache

Calls = dict[str, frozenset[str]]  # boto3 service name -> operations

_STORE_WRITE = frozenset({"query", "put_item", "transact_write_items"})
_EXECUTIONS = frozenset({"start_execution", "stop_execution", "send_task_success"})

CALL_SITES: dict[str, Calls] = {
    "tact.store.dynamodb": {"dynamodb": _STORE_WRITE | {"scan"}},
    "tact.ingest.orchestrator": {"stepfunctions": _EXECUTIONS},
    # A failed record's retry is delayed by changing its visibility on the ingest queue.
    "tact.ingest.messages": {"sqs": frozenset({"get_queue_url", "change_message_visibility"})},
    "tact.runtime": {"sqs": frozenset({"send_message"})},  # dead_letter()
    "tact.secrets": {"secretsmanager": frozenset({"get_secret_value"})},
    "tact.sending.channels": {
        "sesv2": frozenset({"send_email"}),
        "pinpoint-sms-voice-v2": frozenset({"send_text_message"}),
        "sns": frozenset({"publish"}),
    },
    "tact.lifecycle.job": {"events": frozenset({"put_events"})},
    "tact.recommend.source": {"s3": frozenset({"get_object"})},
    "tact.recommend.publish": {"s3": frozenset({"put_object"})},
    "functions/http_ingest/app.py": {"events": frozenset({"put_events"})},
    "tact.analytics.stream": {"firehose": frozenset({"put_record_batch"})},
}

FUNCTIONS: dict[str, Calls] = {
    # SQS batch in: profile and consent writes, start/stop journey executions, bad events out.
    "ingest": {
        "dynamodb": _STORE_WRITE,
        "stepfunctions": _EXECUTIONS,  # start, stop, and resume parked waits
        "sqs": frozenset({"send_message", "get_queue_url", "change_message_visibility"}),
        "s3": frozenset({"get_object"}),  # the fitted model, once per container (hourly check)
    },
    # A wait_for step: park the task token, or resume at once if the event already came.
    "park": {"dynamodb": _STORE_WRITE, "stepfunctions": frozenset({"send_task_success"})},
    # One step: read the customer, reserve the cap and log the message, send on one channel.
    "send": {
        "dynamodb": _STORE_WRITE,
        "sesv2": frozenset({"send_email"}),
        "pinpoint-sms-voice-v2": frozenset({"send_text_message"}),
        "sns": frozenset({"publish"}),
        "secretsmanager": frozenset({"get_secret_value"}),  # signs the unsubscribe links
    },
    "decide": {"dynamodb": _STORE_WRITE},
    "preferences": {
        "dynamodb": _STORE_WRITE,
        "secretsmanager": frozenset({"get_secret_value"}),  # verifies the link tokens
    },
    "ses_events": {"dynamodb": _STORE_WRITE, "sqs": frozenset({"send_message"})},
    "lifecycle": {"dynamodb": frozenset({"query"}), "events": frozenset({"put_events"})},
    # A broadcast's audience: one parallel-scan segment of the table, profiles only.
    "broadcast_audience": {"dynamodb": frozenset({"scan"})},
    # A broadcast's batch: the send path for each customer (as ``send``), plus the control
    # group's log record (put_item).
    "broadcast_send": {
        "dynamodb": _STORE_WRITE,
        "sesv2": frozenset({"send_email"}),
        "pinpoint-sms-voice-v2": frozenset({"send_text_message"}),
        "sns": frozenset({"publish"}),
        "secretsmanager": frozenset({"get_secret_value"}),
    },
    # Daily: Scan purchases, store the fitted model, refresh each buyer's scores (a re-read
    # when a purchase raced the refresh).
    "model": {"dynamodb": frozenset({"scan", "query", "put_item"}),
              "s3": frozenset({"put_object"})},
    # Signed HTTPS requests in, validated events onto the bus (ingest takes it from there).
    "http_ingest": {"events": frozenset({"put_events"})},
    # The table's stream in (read by the event source mapping, not our code), decision
    # records out to the analytics delivery stream.
    "decisions": {"firehose": frozenset({"put_record_batch"})},
}

# IAM prefixes where they differ from boto3's service names.
_IAM_PREFIX = {"stepfunctions": "states", "sesv2": "ses", "pinpoint-sms-voice-v2": "sms-voice"}

# The stack's customer-managed key encrypts the table, the queues, the bus, the secret and the
# model bucket: calls on those need the key too (reads decrypt, writes make data keys).
KMS_USE = frozenset({"kms:Decrypt", "kms:GenerateDataKey"})
_ENCRYPTED = {"dynamodb", "sqs", "secretsmanager", "events", "s3"}
# The table's stream is encrypted with the table's key; its reader also sends failed batches'
# details to the (encrypted) dead-letter queue.
_READS_ENCRYPTED_STREAM = {"decisions"}


@cache
def _operation_names(service: str) -> dict[str, str]:
    """boto3 operation name (``put_item``) -> API name (``PutItem``) of a service."""
    import botocore.session
    from botocore import xform_name

    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(name): name for name in model.operation_names}


# Actions without resource-level permissions: AWS demands Resource "*" for them. A task token
# is the credential of SendTaskSuccess; the action names no state machine or execution.
RESOURCE_STAR_ONLY = frozenset({"states:SendTaskSuccess"})


def operations(service: str) -> frozenset[str]:
    return frozenset(_operation_names(service))


def iam_action(service: str, operation: str) -> str:
    return f"{_IAM_PREFIX.get(service, service)}:{_operation_names(service)[operation]}"


def iam_actions(function: str) -> set[str]:
    """Every IAM action the function's role must allow: its calls and the key they imply."""
    calls = FUNCTIONS[function]
    actions = {iam_action(service, op) for service, ops in calls.items() for op in ops}
    if _ENCRYPTED & set(calls) or function in _READS_ENCRYPTED_STREAM:
        actions |= KMS_USE
    return actions
