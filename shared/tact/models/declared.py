"""What a shop declares beyond Tact's own models: extra event fields and customer attributes.

Declared in ``settings.yaml``::

    event_fields:
      cart_updated: {coupon: string, items.brand: string}
    customer_attributes:
      loyalty_tier: string

Declared names are known to `tact validate`, templates, preview and the JSON Schemas; ingest
checks their types, so a condition never compares a number with the text a shop sent.
Customer attributes are set by a ``customer_updated`` event's ``attributes`` map.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

FieldType = Literal["string", "number", "integer", "boolean", "datetime", "list", "object"]
FieldName = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$", max_length=64)]
# An event field may name a field of each item (``items.brand``).
EventFieldName = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$",
                                      max_length=64)]
TYPE_HINT = "string, number, integer, boolean, datetime, list or object"


def type_problem(value: Any, kind: str) -> str | None:
    """Why ``value`` is not of the declared ``kind`` (None when it is, or when it is null)."""
    if value is None:
        return None
    ok = {
        "string": isinstance(value, str),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "datetime": isinstance(value, str) and _is_datetime(value),
        "list": isinstance(value, list),
        "object": isinstance(value, dict),
    }.get(kind, False)
    if ok:
        return None
    if kind == "datetime":
        return (f"expected an ISO 8601 date or date-time such as 2026-11-30 or "
                f"2026-11-30T09:00:00Z, got {value!r}")
    return f"expected {kind}, got {type(value).__name__} {value!r}"


def _is_datetime(text: str) -> bool:
    from datetime import datetime

    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def event_problems(event_type: str, data: dict[str, Any], event_fields: dict[str, dict[str, str]],
                   customer_attributes: dict[str, str]) -> list[str]:
    """What in one event's data contradicts the shop's declarations (``where: why``)."""
    problems = []
    declared = event_fields.get(event_type, {})
    for name, kind in declared.items():
        head, _, item_field = name.partition(".")
        if item_field:
            items = data.get(head)
            for index, item in enumerate(items if isinstance(items, list) else []):
                why = type_problem(item.get(item_field) if isinstance(item, dict) else None, kind)
                if why:
                    problems.append(f"data.{head}.{index}.{item_field}: {why}")
        elif (why := type_problem(data.get(name), kind)) is not None:
            problems.append(f"data.{name}: {why}")
    attributes = data.get("attributes") if event_type == "customer_updated" else None
    for name, value in (attributes or {}).items():
        if name not in customer_attributes:
            problems.append(f"data.attributes.{name}: not declared; declare it in settings.yaml "
                            f"`customer_attributes: {{{name}: <{TYPE_HINT}>}}` and deploy")
        elif (why := type_problem(value, customer_attributes[name])) is not None:
            problems.append(f"data.attributes.{name}: {why}")
    return problems
