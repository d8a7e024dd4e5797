"""One decision record per thing Tact decided, derived from the item that decision wrote.

Every decision is already written to the customer's partition in the same conditional
transaction that makes it (journey log items ``LOG#...``, message records ``MSG#...``), so a
record exists exactly when its decision was committed. The deployed stream consumer and the
local recorder both call :func:`record_from_item` on the written item: one mapping, one model.
Contact data and message bodies never reach a record: only ids, names and reasons.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from tact.clock import parse_iso
from tact.store import keys

Kind = Literal["entered", "skipped", "exited", "converted", "assigned", "resumed", "sent",
               "not_sent", "deferred", "unknown", "error"]

# Journey log kinds (ingest, decide, send) -> record kinds.
_LOG_KINDS: dict[str, Kind] = {
    "started": "entered", "skipped": "skipped", "stopped": "exited", "converted": "converted",
    "resumed": "resumed", "holdout": "assigned", "assigned": "assigned", "deferred": "deferred",
    "ended": "exited",  # an `exit` step (the reason is the step's)
    # A condition that could not be evaluated on this customer (the reason names it).
    "expression_error": "error",
}


class DecisionRecord(BaseModel):
    """One decision. Field order is the column order of the Glue table and the DuckDB table."""

    model_config = ConfigDict(frozen=True)

    record_id: str  # customer and item key: the same decision re-read is the same record
    revision: int  # a later revision of the same record supersedes (sent -> unknown)
    kind: Kind
    decided_at: str  # ISO 8601 UTC, second precision
    epoch_ms: int  # the same instant, for window arithmetic that reads alike in every SQL
    customer_id: str
    journey: str
    version: str | None = None
    execution: str | None = None
    step: str | None = None
    reason: str | None = None
    channel: str | None = None
    template: str | None = None
    locale: str | None = None
    variant: str | None = None
    goal: str | None = None
    event_id: str | None = None
    value: float | None = None
    currency: str | None = None

    def json_line(self) -> str:
        return self.model_dump_json() + "\n"


COLUMNS: list[str] = list(DecisionRecord.model_fields)


def _text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return None if value in (None, "") else str(value)


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value) if isinstance(value, int | float | Decimal) else None


def record_from_item(customer_id: str, item: dict[str, Any]) -> DecisionRecord | None:
    """The decision a written item states, or None for items that are not decisions."""
    kind = keys.kind_of(str(item.get("sk", "")))  # every item written asks: most are neither
    if kind == keys.MSG:
        return _message(customer_id, item)
    if kind == keys.LOG and item.get("kind") in _LOG_KINDS:
        return _log(customer_id, item)
    return None


def _base(customer_id: str, item: dict[str, Any]) -> dict[str, Any]:
    at = str(item["at"])
    return {"record_id": f"{customer_id}|{item['sk']}", "decided_at": at,
            "epoch_ms": int(parse_iso(at).timestamp() * 1000), "customer_id": customer_id,
            "journey": str(item.get("journey", "")), "version": _text(item, "version"),
            "execution": _text(item, "execution"), "step": _text(item, "step")}


def _message(customer_id: str, item: dict[str, Any]) -> DecisionRecord:
    status = str(item.get("status", ""))
    kind: Kind = "sent" if status == "sent" else "unknown" if status == "unknown" else "not_sent"
    # A message record is written "sent" before the provider call and only ever changed
    # afterwards (unknown, rejected) or re-decided after a released attempt: not-"sent" wins.
    return DecisionRecord(
        **_base(customer_id, item), revision=0 if kind == "sent" else 1, kind=kind,
        reason=None if kind == "sent" else (_text(item, "reason") or status or None),
        channel=_text(item, "channel"), template=_text(item, "template"),
        locale=_text(item, "locale"))


def _log(customer_id: str, item: dict[str, Any]) -> DecisionRecord:
    kind = _LOG_KINDS[str(item["kind"])]
    variant = _text(item, "variant")
    step = _text(item, "step")
    if item["kind"] == "holdout":  # decide writes only the control group's assignment
        variant, step = variant or "control", step or "holdout"
    return DecisionRecord(
        **{**_base(customer_id, item), "step": step}, revision=0, kind=kind,
        reason=_text(item, "reason"), channel=_text(item, "channel"), variant=variant,
        goal=_text(item, "goal"), event_id=_text(item, "event_id"),
        value=_number(item.get("value")), currency=_text(item, "currency"))


def _column_type(annotation: Any) -> tuple[str, str]:
    """(DuckDB type, Glue/Athena type) of a record field."""
    text = str(annotation)
    if "int" in text:
        return "BIGINT", "bigint"
    if "float" in text:
        return "DOUBLE", "double"
    return "VARCHAR", "string"


COLUMN_TYPES: dict[str, tuple[str, str]] = {
    name: _column_type(field.annotation) for name, field in DecisionRecord.model_fields.items()}
