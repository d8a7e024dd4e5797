"""Push endpoints: event data names them, so only those of the configured app are accepted.

SNS endpoint ARNs are ``arn:<partition>:sns:<region>:<account>:endpoint/<platform>/<app>/<id>``,
their application's ``...:app/<platform>/<app>``. template.yaml's ``sns:Publish`` grant names
the same endpoints; ingest refuses any other ``push_endpoint`` (dead-lettered with the reason)
and the push channel refuses one stored before that check.
"""

from __future__ import annotations

import re


def endpoint_prefix(platform_application_arn: str) -> str:
    """``arn:...:app/GCM/shop`` -> ``arn:...:endpoint/GCM/shop/``: what its endpoints start with."""
    return platform_application_arn.replace(":app/", ":endpoint/", 1).rstrip("/") + "/"


def push_endpoint_problem(endpoint: str, platform_application_arn: str | None) -> str | None:
    """Why ``endpoint`` may not be pushed to, or None. Event data names it, so it must belong to
    the configured platform application (IAM allows no other either)."""
    if not platform_application_arn:
        return ("no push platform application is configured (PushPlatformApplicationArn, "
                "TACT_PUSH_PLATFORM_APPLICATION_ARN), so no push endpoint is accepted")
    prefix = endpoint_prefix(platform_application_arn)
    rest = endpoint[len(prefix):] if endpoint.startswith(prefix) else ""
    if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", rest):
        return (f"not an endpoint of the platform application {platform_application_arn} "
                f"(expected {prefix}<endpoint id>)")
    return None
