"""Is a name a condition or template reads known? Customer attributes, event fields (also of
each item, and under ``event.data``), what settings declare; "did you mean" when not.

Every hint is true where it appears: a misspelled field is an error (a condition reading it
would never be true, a template could not be rendered), with the name meant, or how to
declare a field the shop really sends.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from tact.expressions import CUSTOMER_ATTRIBUTES
from tact.models.declared import TYPE_HINT
from tact.models.events import DATA_MODELS, CartItem

ENVELOPE = ["id", "type", "customer_id", "time", "data"]


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(options))}"


# What people write for a field that has another name here: "did you mean" must name it.
SYNONYMS = {
    "value": ("amount", "total", "sum", "subtotal", "grand_total", "cart_value", "order_value",
              "cart_total", "order_total", "revenue"),
    "price": ("cost", "amount", "unit_price"),
    "quantity": ("qty", "count", "amount"),
    "items": ("products", "lines", "line_items", "articles"),
    "name": ("title", "product_name"),
    "currency": ("currency_code",),
    "category": ("categories", "type", "product_type"),
    "sku": ("product_id", "item_id"),
}
ITEM_LISTS = ("items", "recommendations")


def did_you_mean(word: str, options: list[str]) -> str | None:
    """The option ``word`` most likely meant: a near spelling, or a known synonym."""
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return close[0]
    lowered = word.lower()
    return next((name for name, aliases in SYNONYMS.items()
                 if name in options and lowered in aliases), None)


def _field_hint(word: str, options: list[str], declare: str) -> str:
    meant = did_you_mean(word, options)
    known = f"did you mean {meant!r}?" if meant else f"known: {', '.join(sorted(options))}"
    return f"{known}{'' if meant else '.'} If your shop sends it, declare it in settings.yaml: " \
        f"{declare}"


def path_problems(root: str, segments: list[str], roots: dict[str, str],
                  custom: set[str], event_fields: Mapping[str, Mapping[str, str]] | None = None,
                  ) -> list[tuple[str, str, str]]:
    """What is wrong with one path read by a condition or a template (message, hint, severity).

    ``custom``: customer attributes set by update steps or declared in settings;
    ``event_fields``: fields declared per event type in settings.
    """
    if root not in roots:
        return [(f"unknown name {root!r}", _suggest(root, list(roots)), "error")]
    if not segments:
        return []
    first = segments[0]
    if root in ("customer", "freshness"):
        known = [*CUSTOMER_ATTRIBUTES, *custom]
        if first not in known:
            return [(f"unknown customer attribute {first!r}",
                     _field_hint(first, known, f"`customer_attributes: {{{first}: "
                                 f"<{TYPE_HINT}>}}`, set by customer_updated `attributes`"),
                     "error")]
    elif root == "event":
        if first not in ENVELOPE:
            return [(f"unknown event field {first!r}", _suggest(first, ENVELOPE), "error")]
        if first == "data" and len(segments) > 1 and roots.get("event"):
            event_type = roots["event"]
            return _event_field_problems("event.data", event_type, segments[1:],
                                         (event_fields or {}).get(event_type, {}))
    elif roots.get(root):
        return _event_field_problems(root, roots[root], segments, (event_fields or {}).get(
            roots[root], {}))
    return []


def _event_field_problems(root: str, event_type: str, segments: list[str],
                          declared: Mapping[str, str]) -> list[tuple[str, str, str]]:
    model = DATA_MODELS.get(event_type)
    if model is None:
        return []
    first = segments[0]
    fields = [*model.model_fields, *(name for name in declared if "." not in name)]
    declare = f"`event_fields: {{{event_type}: {{{first}: <{TYPE_HINT}>}}}}`"
    if first not in fields:
        return [(f"unknown field {root}.{first} of {event_type}",
                 _field_hint(first, fields, declare), "error")]
    if first in ITEM_LISTS and first in model.model_fields and len(segments) > 1:
        inner = segments[1]
        item_fields = [*CartItem.model_fields,
                       *(name.split(".", 1)[1] for name in declared if name.startswith(
                           f"{first}."))]
        if inner not in item_fields:
            declare = f"`event_fields: {{{event_type}: {{{first}.{inner}: <{TYPE_HINT}>}}}}`"
            return [(f"unknown field {root}.{first}.{inner} of {event_type}",
                     _field_hint(inner, item_fields, declare), "error")]
    return []
