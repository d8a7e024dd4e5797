"""Secrets the functions need, from Secrets Manager when deployed, from the environment locally.

Deployed, TACT_SIGNING_KEY_SECRET_ARN names the secret (template.yaml creates it, encrypted
with the stack's key), so the key never sits in a function's configuration. Locally and in
tests TACT_SIGNING_KEY holds the key itself (and TACT_PREVIOUS_SIGNING_KEY the one before).

The link-signing key is a ring: the current key signs, the current and the previous key both
verify. Deployed, they are the secret's ``AWSCURRENT`` and ``AWSPREVIOUS`` versions: writing a
new value (``put-secret-value``) moves the old one to ``AWSPREVIOUS``, so every link already
sent keeps working. A warm function that meets a token no key of its ring verifies reloads
the ring (at most every ``RELOAD_AFTER``), so it learns of a rotation without a cold start.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache

from tact import clock
from tact.config import runtime_config

RELOAD_AFTER = timedelta(minutes=5)  # bounds Secrets Manager calls forced by bad tokens


class KeyRing:
    """Signing keys, current first; loaded on first use, reloaded on demand (rate-limited)."""

    def __init__(self, load: Callable[[], list[bytes]]) -> None:
        self._load = load
        self._keys: list[bytes] | None = None
        self._loaded_at: datetime | None = None

    def keys(self) -> list[bytes]:
        if self._keys is None:
            self._keys, self._loaded_at = self._load(), clock.now()
        return self._keys

    def current(self) -> bytes:
        return self.keys()[0]

    def reload(self) -> bool:
        """Read the keys again unless that was done a moment ago; True if they changed."""
        now = clock.now()
        if self._loaded_at is not None and now - self._loaded_at < RELOAD_AFTER:
            return False
        before, self._keys, self._loaded_at = self._keys, self._load(), now
        return self._keys != before


def _load() -> list[bytes]:
    config = runtime_config()
    if config.signing_key_secret_arn:
        return _from_secrets_manager(config.signing_key_secret_arn)
    keys = [config.signing_key.get_secret_value().encode(),
            config.previous_signing_key.get_secret_value().encode()]
    return [keys[0], *[k for k in keys[1:] if k]]


def _from_secrets_manager(arn: str) -> list[bytes]:
    from tact import aws

    client = aws.client("secretsmanager")
    keys = [str(client.get_secret_value(SecretId=arn)["SecretString"]).encode()]
    try:
        previous = client.get_secret_value(SecretId=arn, VersionStage="AWSPREVIOUS")
    except client.exceptions.ResourceNotFoundException:
        return keys  # never rotated
    return [*keys, str(previous["SecretString"]).encode()]


@cache
def key_ring() -> KeyRing:
    return KeyRing(_load)


def signing_key() -> bytes:
    """The key new links are signed with."""
    return key_ring().current()
