"""Local invocations get Lambda-style request ids: counted, unique, in UUID form."""

from __future__ import annotations

import itertools
import uuid

from hypothesis import given
from hypothesis import strategies as st

from tact.local import lambda_context
from tact.local.lambda_context import LocalLambdaContext


@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_a_request_id_is_the_uuid_of_its_count(n: int) -> None:
    counter = lambda_context._REQUESTS
    try:
        lambda_context._REQUESTS = itertools.count(n)
        assert lambda_context._request_id() == str(uuid.UUID(int=n))
    finally:
        lambda_context._REQUESTS = counter


def test_every_invocation_has_its_own_request_id() -> None:
    ids = {LocalLambdaContext("tact-send").aws_request_id for _ in range(100)}
    assert len(ids) == 100
    assert all(str(uuid.UUID(i)) == i for i in ids)  # each one a well-formed UUID
