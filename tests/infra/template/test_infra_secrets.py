"""The deployed functions read the link-signing key from Secrets Manager (template.yaml's
SigningKeySecret); locally TACT_SIGNING_KEY holds it. Both through tact.secrets."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from tact import runtime, secrets


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TACT_TABLE_NAME", "tact")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    runtime.reset()
    yield
    runtime.reset()


def test_key_comes_from_the_secret_when_an_arn_is_configured(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_aws():
        arn = boto3.client("secretsmanager").create_secret(
            Name="tact-signing", SecretString="from-secrets-manager")["ARN"]
        monkeypatch.setenv("TACT_SIGNING_KEY_SECRET_ARN", arn)
        monkeypatch.setenv("TACT_SIGNING_KEY", "plain-and-ignored")
        runtime.reset()
        assert secrets.signing_key() == b"from-secrets-manager"
        links = runtime.links("c1", "email", "marketing")
    assert links["unsubscribe"].startswith("https://example.invalid/unsubscribe/")


def test_plain_key_is_used_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TACT_SIGNING_KEY", "local-key")
    monkeypatch.delenv("TACT_SIGNING_KEY_SECRET_ARN", raising=False)
    assert secrets.signing_key() == b"local-key"


def test_the_two_keys_sign_differently(monkeypatch: pytest.MonkeyPatch) -> None:
    from tact.tokens import InvalidToken, verify

    with mock_aws():
        arn = boto3.client("secretsmanager").create_secret(
            Name="tact-signing", SecretString="deployed-key")["ARN"]
        monkeypatch.setenv("TACT_SIGNING_KEY_SECRET_ARN", arn)
        runtime.reset()
        token = runtime.links("c1", "email", "marketing")["unsubscribe"].rsplit("/", 1)[1]
    from tact import clock

    assert verify(b"deployed-key", token, clock.now()).c == "c1"
    with pytest.raises(InvalidToken, match="bad signature"):
        verify(b"local-key", token, clock.now())
