"""Fault injection at the AWS client layer, through the whole stack.

Each test runs shop events through ``tact simulate``'s machinery on moto (real ingest and send
handlers, the compiled abandoned-cart state machine on the local executor, SQS-style
redelivery of failed batch items) while botocore event hooks (``tests/support/awshooks.py``) make
DynamoDB, SES, Step Functions or the Lambda runtime fail. Each states the counts it expects:
retried or recorded, nothing lost, nothing sent twice; and every promise of
``tests/support/invariants.py`` still holds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError

from tact import clock as tact_clock
from tact.local.stepfunctions.errors import LambdaTimeout
from tests.support.awshooks import Fault, after_call, aws_calls
from tests.support.invariants import World, cart, check_invariants, opted_in, records, simulate

T = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)  # 08:00 in Berlin: quiet hours just ended
CART_AT = T + timedelta(hours=2)
REMINDER_1 = CART_AT + timedelta(hours=2)


def one_cart(customer: str = "ana") -> list[dict[str, Any]]:
    return [*opted_in(customer, T), cart(f"{customer}-cart", customer, CART_AT, "c1")]


def sending(_: dict[str, Any]) -> bool:
    return tact_clock.now() >= REMINDER_1  # the journey's sends, not the ingest of events


def ingesting(_: dict[str, Any]) -> bool:
    return tact_clock.now() < REMINDER_1


def statuses(world: World) -> list[tuple[str, str]]:
    return sorted((m["step"], m["status"]) for _, m in records(world, "message"))


def deliveries_of(world: World, event_type: str) -> int:
    return sum(1 for t in world.report.timeline if t.what == "event" and t.detail == event_type)


def run(events: list[dict[str, Any]], *faults: Fault) -> tuple[World, Any]:
    with aws_calls(*faults) as calls:
        world = simulate(events, store="moto")
    calls.delivered = world.ses_delivered
    return world, calls


# --------------------------------------------------------------------------- DynamoDB


def test_throughput_exceeded_on_send_reads_is_retried_and_each_message_sent_once() -> None:
    fault = Fault("dynamodb", "Query", "ProvisionedThroughputExceededException", times=3,
                  when=sending)
    world, calls = run(one_cart(), fault)
    assert fault.injected == 3
    assert statuses(world) == [("reminder_1", "sent"), ("reminder_2", "sent")]
    assert calls.count("sesv2", "SendEmail") == 2 and calls.delivered == 2
    check_invariants(one_cart(), world)


def test_transaction_conflict_on_the_send_transaction_is_retried_and_sent_once() -> None:
    conflict = Fault("dynamodb", "TransactWriteItems", "TransactionCanceledException", times=2,
                     when=sending, extra={"CancellationReasons": [
                         {"Code": "TransactionConflict"}, {"Code": "None"}]})
    world, calls = run(one_cart(), conflict)
    assert conflict.injected == 2
    assert statuses(world) == [("reminder_1", "sent"), ("reminder_2", "sent")]
    assert calls.count("sesv2", "SendEmail") == 2 and calls.delivered == 2
    (_, cap), = records(world, "cap")
    assert len(cap["sends"]) == 2  # a lost transaction reserved nothing
    check_invariants(one_cart(), world)


def test_dynamodb_faults_while_ingesting_are_redelivered_and_nothing_is_lost() -> None:
    throttled = Fault("dynamodb", "Query", "ProvisionedThroughputExceededException", times=2,
                      when=ingesting)
    conflict = Fault("dynamodb", "TransactWriteItems", "TransactionCanceledException",
                     times=2, when=ingesting,
                     extra={"CancellationReasons": [{"Code": "TransactionConflict"}]})
    events = one_cart()
    world, calls = run(events, throttled, conflict)
    assert throttled.injected == 2 and conflict.injected == 2
    # Four failed receives among three events; each was redelivered until it went through.
    receives = sum(deliveries_of(world, e["type"]) for e in
                   {e["type"]: e for e in events}.values())
    assert receives == 3 + 4
    assert world.report.rejected_events == []
    assert len(world.runs) == 1  # one execution, though the cart event may have been retried
    assert statuses(world) == [("reminder_1", "sent"), ("reminder_2", "sent")]
    assert calls.delivered == 2
    check_invariants(events, world)


# --------------------------------------------------------------------------- SES


@pytest.mark.parametrize(("code", "status"), [("TooManyRequestsException", 429),
                                              ("InternalFailure", 500),
                                              ("ServiceUnavailable", 503)])
def test_ses_throttling_and_5xx_are_retried_and_each_message_delivered_once(
        code: str, status: int) -> None:
    fault = Fault("sesv2", "SendEmail", code, status=status, times=3)
    world, calls = run(one_cart(), fault)
    assert fault.injected == 3
    assert calls.count("sesv2", "SendEmail") == 2 + 3  # two messages, three refused attempts
    assert calls.delivered == 2
    assert statuses(world) == [("reminder_1", "sent"), ("reminder_2", "sent")]
    (_, cap), = records(world, "cap")
    assert len(cap["sends"]) == 2  # refused attempts released their cap reservation
    check_invariants(one_cart(), world)


def test_a_lost_ses_answer_is_recorded_unknown_and_never_resent() -> None:
    lost: list[str] = []

    def lose_first_answer(_: dict[str, Any]) -> None:
        if not lost:
            lost.append("lost")
            raise ReadTimeoutError(endpoint_url="https://email.us-east-1.amazonaws.com")

    with after_call("sesv2", "SendEmail", lose_first_answer):
        world, calls = run(one_cart())
    assert calls.count("sesv2", "SendEmail") == 2  # no second attempt for reminder_1
    assert calls.delivered == 2  # the first did land: at-most-once, never twice
    assert statuses(world) == [("reminder_1", "unknown"), ("reminder_2", "sent")]
    check_invariants(one_cart(), world)


def test_a_lambda_timeout_after_the_provider_call_never_sends_twice() -> None:
    """The send Lambda dies right after SES accepted: the record written before the call
    stands, the execution fails (recorded), and no retry or replay can send it again."""
    died: list[str] = []

    def time_out(_: dict[str, Any]) -> None:
        if not died:
            died.append("timeout")
            raise LambdaTimeout("Task timed out after 30.00 seconds")

    with after_call("sesv2", "SendEmail", time_out):
        world, calls = run(one_cart())
    assert calls.count("sesv2", "SendEmail") == 1 and calls.delivered == 1
    assert statuses(world) == [("reminder_1", "sent")]
    (execution,) = world.runs.values()
    assert execution.status == "FAILED"
    counts = check_invariants(one_cart(), world, allow_failed=True)
    assert counts["failed"] == 1 and counts["sent"] == 1


# --------------------------------------------------------------------------- Step Functions


def test_start_execution_throttling_is_redelivered_and_starts_exactly_once() -> None:
    fault = Fault("sfn", "StartExecution", "ThrottlingException", times=3)
    world, calls = run(one_cart(), fault)
    assert calls.count("sfn", "StartExecution") == 4
    assert deliveries_of(world, "cart_updated") == 4  # three failed receives, then through
    assert world.report.rejected_events == []
    assert len(world.runs) == 1
    assert statuses(world) == [("reminder_1", "sent"), ("reminder_2", "sent")]
    check_invariants(one_cart(), world)


def test_throttled_past_the_receive_limit_is_dead_lettered_with_its_reason() -> None:
    fault = Fault("sfn", "StartExecution", "ThrottlingException", times=99)
    world, calls = run(one_cart(), fault)
    assert calls.count("sfn", "StartExecution") == 5  # maxReceiveCount
    (rejected,) = world.report.rejected_events
    assert rejected["event"] == "ana-cart" and "5 receives" in rejected["reason"]
    assert world.runs == {} and statuses(world) == []


def test_a_failed_ingest_write_starts_nothing_and_the_redelivery_starts_once() -> None:
    """The ingest transaction fails: ingest writes before it starts executions, so nothing was
    started, and the redelivered event starts the journey exactly once."""
    conflict = Fault("dynamodb", "TransactWriteItems", "TransactionCanceledException",
                     when=lambda _: tact_clock.now() == CART_AT, times=1,
                     extra={"CancellationReasons": [{"Code": "TransactionConflict"}]})
    world, calls = run(one_cart(), conflict)
    assert conflict.injected == 1
    assert calls.count("sfn", "StartExecution") == 1
    assert len(world.runs) == 1
    assert calls.delivered == 2
    check_invariants(one_cart(), world)


# --------------------------------------------------------------------------- SQS


def test_duplicate_sqs_deliveries_change_nothing() -> None:
    events = one_cart()
    once, once_calls = run(events)
    thrice, thrice_calls = run([e for e in events for _ in range(3)])
    assert deliveries_of(thrice, "cart_updated") == 3
    assert thrice.report.messages == once.report.messages
    # Each redelivery re-confirms the start of what the event entered (in case the first
    # attempt died between its write and its start); the deterministic name keeps it one run.
    assert thrice_calls.count("sfn", "StartExecution") == 3
    assert once_calls.count("sfn", "StartExecution") == 1
    assert len(thrice.runs) == len(once.runs) == 1
    assert thrice_calls.delivered == once_calls.delivered == 2
    check_invariants(events, thrice)


# --------------------------------------------------------------------------- concurrency


@pytest.mark.parametrize("purpose", ["marketing", "transactional"])
def test_two_invocations_of_one_send_racing_deliver_once(
        purpose: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Lambda delivers an invocation twice, concurrently: the second runs completely while the
    first sits between its read and its conditional write. Transactional sends have no cap
    counter, so only the message record's ``expect="absent"`` stands between them."""
    from tact.local.lambda_context import LocalLambdaContext
    from tests.support.sendkit import consent, profile, send_payload, ses_sent, world

    results: list[dict[str, Any]] = []
    raced: list[bool] = []
    with aws_calls() as calls, world(monkeypatch, tmp_path) as w:
        w.ingest(profile("ana"), consent("ana"))
        payload = send_payload(w, "ana", "race-1", purpose=purpose)
        send = w.handler("send")

        def is_send_write(params: dict[str, Any]) -> bool:
            items = [params.get("Item", {})] + [
                a.get("Put", {}).get("Item", {}) for a in params.get("TransactItems", [])]
            return any("MSG#" in str(i.get("sk", "")) for i in items)  # typed or not

        def race(service: str, operation: str, params: dict[str, Any]) -> None:
            if not raced and is_send_write(params):
                raced.append(True)
                results.append(send(payload, LocalLambdaContext("tact-send")))

        calls.on_call = race
        results.append(send(payload, LocalLambdaContext("tact-send")))
        assert [r["status"] for r in results] == ["sent", "sent"]
        assert len(ses_sent()) == 1
        assert calls.count("sesv2", "SendEmail") == 1
        (record,) = w.messages("ana")
        assert record["status"] == "sent"


def test_a_send_replayed_after_a_lambda_timeout_delivers_nothing_more(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The timeout above, then the same invocation again (a Lambda retry, a redriven
    execution): the record written before the provider call answers it; SES sees one email."""
    from tact.local.lambda_context import LocalLambdaContext
    from tests.support.sendkit import consent, profile, send_payload, ses_sent, world

    died: list[str] = []

    def time_out(_: dict[str, Any]) -> None:
        if not died:
            died.append("timeout")
            raise LambdaTimeout("Task timed out after 30.00 seconds")

    with after_call("sesv2", "SendEmail", time_out), world(monkeypatch, tmp_path) as w:
        w.ingest(profile("ana"), consent("ana"))
        payload = send_payload(w, "ana", "timeout-1")
        send = w.handler("send")
        with pytest.raises(LambdaTimeout):
            send(payload, LocalLambdaContext("tact-send"))
        replays = [send(payload, LocalLambdaContext("tact-send"))["status"] for _ in range(3)]
        assert replays == ["sent"] * 3
        assert len(ses_sent()) == 1
        assert [m["status"] for m in w.messages("ana")] == ["sent"]
