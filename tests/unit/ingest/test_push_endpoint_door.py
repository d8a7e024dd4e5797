"""Which events have their push endpoint checked at the door: exactly those whose typed data
answers ``push_endpoint`` (the contact events' field, or an extra key of that name on any
other type, since event data allows extra keys), whatever the value."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tact import config
from tact.ingest.messages import _push_endpoint_of_our_app
from tact.models.events import DATA_MODELS, EventError, parse_event
from tests.unit.models.test_events_models import SAMPLES, envelope

APP = "arn:aws:sns:eu-west-1:123456789012:app/APNS/shop"
VALUES: list[Any] = ["absent", None, "", "arn:aws:sns:eu-west-1:123456789012:endpoint/APNS/shop/"
                     "0f1e2d3c-aaaa-bbbb-cccc-0123456789ab", "arn:aws:sns:elsewhere", 42]


def verdict(data: Any) -> str | None:
    try:
        _push_endpoint_of_our_app(data)
    except EventError as err:
        return err.reason
    return None


@pytest.mark.parametrize("kind", list(DATA_MODELS))
@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("arn", [APP, None], ids=["app", "no app"])
def test_the_check_applies_wherever_the_data_answers_push_endpoint(
        kind: str, value: Any, arn: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "runtime_config",
                        lambda: SimpleNamespace(push_platform_application_arn=arn))
    data = dict(SAMPLES[kind])
    if value != "absent":
        data["push_endpoint"] = value
    try:
        _, typed = parse_event(envelope(kind, data))
    except EventError:
        return  # refused before the door's own checks
    endpoint = getattr(typed, "push_endpoint", None)  # what the data answers
    reason = verdict(typed)
    if endpoint is None:
        assert reason is None
    else:
        assert reason is not None or str(endpoint).startswith(APP.replace(":app/", ":endpoint/"))
        assert (reason is None) == (arn is not None and value == VALUES[3])
