"""The send path inside a running journey: the compiled abandoned_cart state machine run by
the local executor on a virtual clock, the real send/ingest/preferences handlers, moto
(DynamoDB + SES v2). Provider faults are injected through botocore's event hooks on the
very client the email channel uses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError

from tact import runtime
from tact.local.lambda_context import LocalLambdaContext
from tact.sending.channels import provider_client
from tests.support.sendkit import (
    PUBLIC_URL,
    T0,
    World,
    cart,
    consent,
    profile,
    ses_sent,
    unsubscribe_link,
)

AFTER_REMINDER_1 = T0 + timedelta(hours=2, minutes=1)


def sent_steps(w: World, customer: str = "ana") -> list[str]:
    return [m["step"] for m in w.messages(customer) if m["status"] == "sent"]


def start(w: World, customer: str = "ana") -> None:
    w.ingest(profile(customer), consent(customer), cart(customer))


def ses_fails(times: int, status: int, code: str) -> tuple[list[str], Any]:
    """A before-call hook: the first ``times`` SendEmail calls get an AWS error answer.

    ``before-call`` short-circuits the request (moto's ``before-send`` handler would still
    record the message otherwise), as a refusal by SES before accepting would.
    """
    attempts: list[str] = []

    def hook(**_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        attempts.append(code if len(attempts) < times else "ok")
        if len(attempts) > times:
            return None  # on to moto
        parsed = {"Error": {"Code": code, "Message": f"injected {code}"},
                  "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": {}}}
        return AWSResponse("https://email.us-east-1.amazonaws.com", status, {}, None), parsed

    return attempts, hook


# --------------------------------------------------------------------------- happy path


def test_two_reminders_each_with_one_click_unsubscribe_header(send_world: World) -> None:
    requests: list[dict[str, Any]] = []
    provider_client("sesv2").meta.events.register(
        "before-parameter-build.sesv2.SendEmail", lambda params, **_: requests.append(params))
    start(send_world)
    send_world.clock.run_until(None)
    assert sent_steps(send_world) == ["reminder_1", "reminder_2"]
    assert len(ses_sent()) == 2
    for request in requests:
        headers = {h["Name"]: h["Value"] for h in request["Content"]["Simple"]["Headers"]}
        assert headers["List-Unsubscribe"].startswith(f"<{PUBLIC_URL}/unsubscribe/")
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        tags = {t["Name"]: t["Value"] for t in request["EmailTags"]}
        assert tags == {"customer": "ana", "journey": "abandoned_cart",
                        "step": tags["step"]}


def test_dynamodb_requests_per_dispatched_message_at_most_two(send_world: World) -> None:
    for customer in ("ana", "ben", "cy"):
        start(send_world, customer)
    calls: list[str] = []
    # Everything after ingest is the send Lambda's: count its DynamoDB requests.
    runtime.store().client.meta.events.register(
        "before-call.dynamodb", lambda model, **_: calls.append(model.name))
    send_world.clock.run_until(None)
    requests = list(calls)  # before this test's own reads below
    dispatched = sum(len(sent_steps(send_world, c)) for c in ("ana", "ben", "cy"))
    assert dispatched == 6 and len(ses_sent()) == 6
    assert sorted(set(requests)) == ["Query", "TransactWriteItems"]
    print(f"dynamodb_requests_per_send={len(requests) / dispatched:.2f} "
          f"({len(requests)} requests, {dispatched} messages)")
    assert len(requests) / dispatched <= 2


# --------------------------------------------------------------------------- unsubscribe


def test_unsubscribe_link_from_the_sent_email_stops_the_in_flight_journey(
        send_world: World) -> None:
    start(send_world)
    send_world.clock.run_until(AFTER_REMINDER_1)
    assert sent_steps(send_world) == ["reminder_1"]
    link = unsubscribe_link(ses_sent()[0])  # from the message moto's SES accepted
    assert link.startswith(f"{PUBLIC_URL}/unsubscribe/")
    path = urlsplit(link).path

    page = send_world.api("GET", path)  # what a link scanner or a click does: changes nothing
    assert page["statusCode"] == 200 and "<form method=\"post\">" in page["body"]
    assert send_world.state("ana").consent_granted("email", "marketing")

    answer = send_world.api("POST", path, "List-Unsubscribe=One-Click",
                            "application/x-www-form-urlencoded")
    assert answer["statusCode"] == 200
    item = send_world.state("ana").consents[("email", "marketing")]
    assert item["granted"] is False and item["source"] == "one_click_unsubscribe"
    assert [h["source"] for h in item["history"]] == ["one_click_unsubscribe",
                                                      "signup_form"]

    send_world.clock.run_until(None)  # reminder 2 is due a day later
    assert sent_steps(send_world) == ["reminder_1"]
    assert len(ses_sent()) == 1
    second = [m for m in send_world.messages("ana") if m["step"] == "reminder_2"]
    assert [(m["status"], m["reason"]) for m in second] == [("suppressed", "no_consent")]


# --------------------------------------------------------------------------- idempotency


def test_duplicate_invocation_returns_the_first_outcome_and_sends_nothing(
        send_world: World) -> None:
    start(send_world)
    send_world.clock.run_until(AFTER_REMINDER_1)
    first = send_world.sends[0]
    assert first["result"]["status"] == "sent"
    send = send_world.handler("send")
    for _ in range(3):  # Lambda's at-least-once invocation, replayed
        again = send(first["payload"], LocalLambdaContext("tact-send"))
        assert {k: again[k] for k in ("status", "channel", "at")} == {
            k: first["result"][k] for k in ("status", "channel", "at")}
    assert len(ses_sent()) == 1
    assert len(send_world.messages("ana")) == 1


# --------------------------------------------------------------------------- provider faults


@pytest.mark.parametrize(("status", "code"), [(429, "TooManyRequestsException"),
                                              (503, "ServiceUnavailable"),
                                              (500, "InternalFailure")])
def test_throttling_and_5xx_are_retried_by_the_state_machine_and_sent_once(
        status: int, code: str, send_world: World) -> None:
    attempts, hook = ses_fails(2, status, code)
    provider_client("sesv2").meta.events.register("before-call.sesv2.SendEmail", hook)
    start(send_world)
    send_world.clock.run_until(AFTER_REMINDER_1 + timedelta(minutes=10))
    assert attempts == [code, code, "ok"]  # botocore itself never retried
    assert sent_steps(send_world) == ["reminder_1"]
    assert len(ses_sent()) == 1
    # The failed attempts released their cap reservation: one send counted, not three.
    cap = send_world.state("ana").caps[("marketing", "any")]
    assert len(cap["sends"]) == 1
    (execution,) = send_world.executor.executions()
    assert execution.status == "RUNNING"  # waiting for reminder 2, not failed


def test_timeout_after_the_request_left_is_unknown_and_never_resent(send_world: World) -> None:
    lost: list[str] = []

    def answer_lost(**_: Any) -> None:
        if not lost:  # the first email reaches SES (moto), its answer never comes back
            lost.append("lost")
            raise ReadTimeoutError(endpoint_url="https://email.us-east-1.amazonaws.com")

    provider_client("sesv2").meta.events.register("after-call.sesv2.SendEmail",
                                                  answer_lost)
    start(send_world)
    send_world.clock.run_until(AFTER_REMINDER_1)
    assert len(ses_sent()) == 1  # it was delivered ...
    (record,) = send_world.messages("ana")
    assert record["status"] == "unknown"  # ... but we cannot know: recorded as unknown
    assert send_world.sends[0]["result"]["status"] == "unknown"
    send = send_world.handler("send")
    again = send(send_world.sends[0]["payload"], LocalLambdaContext("tact-send"))
    assert again["status"] == "unknown"
    assert len(ses_sent()) == 1  # never re-sent blindly
    send_world.clock.run_until(None)
    assert [(m["step"], m["status"]) for m in send_world.messages("ana")] == [
        ("reminder_1", "unknown"), ("reminder_2", "sent")]


def test_transactional_email_has_no_one_click_unsubscribe_header(send_world: World) -> None:
    from tests.support.sendkit import send_payload

    requests: list[dict[str, Any]] = []
    provider_client("sesv2").meta.events.register(
        "before-parameter-build.sesv2.SendEmail", lambda params, **_: requests.append(params))
    send_world.ingest(profile("ana"))
    payload = send_payload(send_world, "ana", "order-1", purpose="transactional")
    result = send_world.handler("send")(payload, LocalLambdaContext("tact-send"))
    assert result["status"] == "sent"
    assert requests[0]["Content"]["Simple"]["Headers"] == []
