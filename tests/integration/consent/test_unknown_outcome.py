"""Finding 8 of issue 13: an unclassified provider error read as "sent".

Any outcome that is neither a clear success nor a clear answer (refused, throttled, 5xx) may
have delivered: the record says ``unknown``, the cap slot stays used, a retry sends nothing,
and ``tact history`` shows it. SES (moto) accepts the email, then the answer is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    HTTPClientError,
    ReadTimeoutError,
    SSLError,
)

from tact.local.lambda_context import LocalLambdaContext
from tact.sending.history import history
from tests.support.awshooks import after_call
from tests.support.sendkit import consent, profile, send_payload, ses_sent, world

URL = "https://email.us-east-1.amazonaws.com"
LOST: dict[str, Callable[[], Exception]] = {
    "SSLError": lambda: SSLError(endpoint_url=URL, error="EOF occurred in violation"),
    "HTTPClientError": lambda: HTTPClientError(error="connection reset"),
    "EndpointConnectionError": lambda: EndpointConnectionError(endpoint_url=URL),
    "ReadTimeoutError": lambda: ReadTimeoutError(endpoint_url=URL),
    "ConnectionClosedError": lambda: ConnectionClosedError(endpoint_url=URL),
    "unknown ClientError code": lambda: ClientError(
        {"Error": {"Code": "SomethingNewInSes", "Message": "?"},
         "ResponseMetadata": {"HTTPStatusCode": 400}}, "SendEmail"),
    "RuntimeError": lambda: RuntimeError("a failure nobody classified"),
}


@pytest.mark.parametrize("error", sorted(LOST))
def test_an_unclassified_provider_error_is_recorded_unknown_and_never_resent(
        error: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    raised: list[str] = []

    def lose_answer(_: dict[str, Any]) -> None:
        if not raised:
            raised.append(error)
            raise LOST[error]()

    with after_call("sesv2", "SendEmail", lose_answer), world(monkeypatch, tmp_path) as w:
        w.ingest(profile("ana"), consent("ana"))
        payload = send_payload(w, "ana", "lost-1")
        send = w.handler("send")
        results = [send(payload, LocalLambdaContext("tact-send"))["status"] for _ in range(3)]
        assert raised == [error]
        assert results == ["unknown"] * 3
        assert len(ses_sent()) == 1
        (record,) = w.messages("ana")
        assert record["status"] == "unknown"
        state = w.state("ana")
        assert any(len(item.get("sends", [])) == 1 for item in state.caps.values())
        rows = [r for r in history(w.items("ana")) if r.kind == "message"]
        assert [r.what for r in rows] == ["unknown"]


def test_a_clear_refusal_is_not_unknown() -> None:
    """The other side of the line: a known refusal is recorded as rejected, slot released."""
    from tact.sending.channels import ProviderRejected, ProviderTransientError, classify

    refused = ClientError({"Error": {"Code": "MessageRejected"},
                           "ResponseMetadata": {"HTTPStatusCode": 400}}, "SendEmail")
    throttled = ClientError({"Error": {"Code": "TooManyRequestsException"},
                             "ResponseMetadata": {"HTTPStatusCode": 429}}, "SendEmail")
    assert isinstance(classify(refused), ProviderRejected)
    assert isinstance(classify(throttled), ProviderTransientError)
