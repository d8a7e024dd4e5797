"""What a Pinpoint import produces and reports: the conversion, its findings, and the
mappings and value formats every activity shares."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

# Pinpoint event names -> Tact events (custom event names are the shop's own choice).
EVENT_SYNONYMS = {
    "cart": "cart_updated", "add_to_cart": "cart_updated", "cart_abandoned": "cart_updated",
    "cart_update": "cart_updated", "abandoned_cart": "cart_updated",
    "checkout": "checkout_started", "begin_checkout": "checkout_started",
    "purchase": "purchase_completed", "order_completed": "purchase_completed",
    "_monetization.purchase": "purchase_completed", "order": "purchase_completed",
    "sign_up": "signup", "_userauth.sign_up": "signup", "registration": "signup",
    "refund": "order_refunded",
}
OPERATORS = {"GREATER_THAN": ">", "LESS_THAN": "<", "GREATER_THAN_OR_EQUAL": ">=",
              "LESS_THAN_OR_EQUAL": "<=", "EQUAL": "="}
CHANNELS = {"EMAIL": "email", "SMS": "sms", "PUSH": "push", "CUSTOM": "webhook"}
DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
_ISO_DURATION = re.compile(
    r"^P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$")
MAX_HOLDOUT = 0.5  # Tact's journey-level holdout share
SETTINGS_PATHS = ("$.Limits.DailyCap", "$.Limits.TimeframeCap", "$.Limits.TotalCap",
                   "$.Limits.MessagesPerSecond", "$.QuietTime", "$.OpenHours", "$.ClosedDays")


class PinpointError(ValueError):
    """The file is not a Pinpoint journey we can read; ``where`` is a JSON path."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass
class Finding:
    kind: str  # "unmapped" | "approximated" | "fill_in" | "mapped"
    where: str  # JSON path in the Pinpoint file
    message: str


def findings_of(findings: list[Finding], kind: str) -> list[Finding]:
    """Findings of one kind, once each (an unfolded shared tail repeats them)."""
    seen: dict[tuple[str, str], Finding] = {}
    for f in findings:
        if f.kind == kind:
            seen.setdefault((f.where, f.message), f)
    return list(seen.values())


@dataclass
class Conversion:
    journey_id: str
    journey: dict[str, Any]
    settings: dict[str, Any]
    templates: dict[str, set[str]]  # template name -> channels used with it
    template_sources: dict[str, str]  # template name -> Pinpoint TemplateName/version
    findings: list[Finding] = field(default_factory=list)
    webhook_uris: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Finding]:
        return findings_of(self.findings, kind)


def iso_duration(text: str, where: str) -> str:
    """``PT2H`` -> ``2h``; years and months have no fixed length and are refused."""
    match = _ISO_DURATION.match(text or "")
    if not match or not any(match.groupdict().values()):
        raise PinpointError(where, f"{text!r} is not an ISO 8601 duration Tact can use "
                            "(weeks, days, hours, minutes, seconds; e.g. PT2H, P1D)")
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    seconds = (parts.get("w", 0) * 604800 + parts.get("d", 0) * 86400 + parts.get("h", 0) * 3600
               + parts.get("m", 0) * 60 + parts.get("s", 0))
    from tact.journey.durations import format_duration

    return format_duration(seconds)


def slug_id(text: str, prefix: str = "s") -> str:
    value = re.sub(r"[^a-z0-9_]+", "_", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text).lower())
    value = value.strip("_") or prefix
    if not value[0].isalpha():
        value = f"{prefix}_{value}"
    return value[:40].rstrip("_")


def literal(value: str) -> str:
    """Pinpoint attribute values are strings; numbers and booleans become JSONata literals."""
    if value.lower() in ("true", "false"):
        return value.lower()
    try:
        float(value)
        return value
    except ValueError:
        return json.dumps(value)
