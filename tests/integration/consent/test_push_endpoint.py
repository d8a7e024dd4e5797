"""Issue 13, security: `push_endpoint` comes from event data, so ingest accepts only endpoints
of the configured SNS platform application (moto), and the push channel refuses any other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tact import runtime
from tact.sending.channels import Outbound, ProviderRejected, SnsPush
from tests.support.sendkit import World, profile, world


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[World, str, Any]]:
    parked: list[tuple[str, str]] = []
    with world(monkeypatch, tmp_path) as w:
        sns = boto3.client("sns")
        arn = sns.create_platform_application(Name="shop", Platform="GCM",
                                              Attributes={"PlatformCredential": "k"})[
            "PlatformApplicationArn"]
        monkeypatch.setenv("TACT_PUSH_PLATFORM_APPLICATION_ARN", arn)
        runtime.reset()
        runtime.override(dead_letter=lambda body, reason: parked.append((body, reason)))
        yield w, arn, parked


def endpoint_of(arn: str, token: str) -> str:
    return str(boto3.client("sns").create_platform_endpoint(
        PlatformApplicationArn=arn, Token=token)["EndpointArn"])


def test_an_endpoint_of_the_configured_application_is_stored(app: Any) -> None:
    w, arn, parked = app
    ours = endpoint_of(arn, "device-1")
    w.ingest(profile("ana", push_endpoint=ours))
    assert parked == []
    assert w.state("ana").attribute("push_endpoint") == ours


@pytest.mark.parametrize("other", ["another app", "another account", "a topic", "suffix"])
def test_any_other_endpoint_is_dead_lettered_with_the_reason(app: Any, other: str) -> None:
    w, arn, parked = app
    sns = boto3.client("sns")
    elsewhere = sns.create_platform_application(Name="evil", Platform="GCM",
                                                Attributes={"PlatformCredential": "k"})[
        "PlatformApplicationArn"]
    ours = endpoint_of(arn, "device-1")
    target = {
        "another app": endpoint_of(elsewhere, "device-2"),
        "another account": ours.replace(":123456789012:", ":210987654321:"),
        "a topic": sns.create_topic(Name="everyone")["TopicArn"],
        "suffix": ours + "/../../topic",
    }[other]
    w.ingest(profile("ana", push_endpoint=target))
    assert len(parked) == 1 and "data.push_endpoint" in parked[0][1], parked
    assert w.state("ana").attribute("push_endpoint") is None


def test_without_a_configured_application_no_endpoint_is_accepted(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    parked: list[tuple[str, str]] = []
    with world(monkeypatch, tmp_path) as w:
        runtime.override(dead_letter=lambda body, reason: parked.append((body, reason)))
        w.ingest(profile("ana", push_endpoint="arn:aws:sns:us-east-1:123456789012:endpoint/"
                                              "GCM/shop/0f6d4c4e"))
        assert len(parked) == 1 and "PushPlatformApplicationArn" in parked[0][1]


def test_the_push_channel_refuses_an_endpoint_of_another_application(app: Any) -> None:
    _, arn, _ = app
    sns = boto3.client("sns")
    elsewhere = sns.create_platform_application(Name="evil", Platform="GCM",
                                                Attributes={"PlatformCredential": "k"})[
        "PlatformApplicationArn"]
    message = Outbound("push", endpoint_of(elsewhere, "d"), {"title": "t", "body": "b"}, "ana",
                       "j", "s")
    with pytest.raises(ProviderRejected):
        SnsPush(client=sns, platform_application_arn=arn).send(message)
    ours = Outbound("push", endpoint_of(arn, "d2"), {"title": "t", "body": "b"}, "ana", "j", "s")
    assert SnsPush(client=sns, platform_application_arn=arn).send(ours)
