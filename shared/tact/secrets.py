"""Secrets the functions need, from Secrets Manager when deployed, from the environment locally.

Deployed, TACT_SIGNING_KEY_SECRET_ARN names the secret (template.yaml creates it, encrypted
with the stack's key), so the key never sits in a function's configuration. Locally and in
tests TACT_SIGNING_KEY holds the key itself. Read once per process: after rotating the
secret, new cold starts pick it up.
"""

from __future__ import annotations

from functools import cache

from tact.config import runtime_config


@cache
def signing_key() -> bytes:
    config = runtime_config()
    if config.signing_key_secret_arn:
        from tact import aws

        response = aws.client("secretsmanager").get_secret_value(
            SecretId=config.signing_key_secret_arn)
        return str(response["SecretString"]).encode()
    return config.signing_key.get_secret_value().encode()
