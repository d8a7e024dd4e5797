"""AWS clients, created once per process and only when first used (cold start matters)."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def client(service: str) -> Any:
    import boto3

    return boto3.client(service)


@cache
def resource(service: str) -> Any:
    import boto3

    return boto3.resource(service)


def reset() -> None:
    """Forget cached clients (tests switch moto worlds and regions)."""
    client.cache_clear()
    resource.cache_clear()
