"""The one expression language: JSONata (Step Functions evaluates it natively).

Conditions in journey files are evaluated on the *expression context*:
``{"customer": profile attributes, "event": the trigger envelope, <noun>: event data}``
where the noun is ``cart`` for cart events, ``order`` for purchases and ``consent``
for consent changes, so a marketer writes ``cart.value >= 20``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jsonata

EVENT_NOUNS = {
    "cart_updated": "cart",
    "cart_emptied": "cart",
    "checkout_started": "cart",
    "purchase_completed": "order",
    "order_refunded": "order",
    "consent_changed": "consent",
}


class ExpressionError(ValueError):
    pass


@lru_cache(maxsize=1024)
def compile_expression(text: str) -> jsonata.Jsonata:
    try:
        return jsonata.Jsonata(text)
    except Exception as err:  # jsonata-python raises its own JException
        raise ExpressionError(f"invalid JSONata expression {text!r}: {err}") from None


def evaluate(text: str, context: dict[str, Any]) -> Any:
    try:
        return compile_expression(text).evaluate(context)
    except ExpressionError:
        raise
    except Exception as err:
        raise ExpressionError(f"expression {text!r} failed: {err}") from None


def is_true(text: str | None, context: dict[str, Any]) -> bool:
    """Conditions are true only when they evaluate to boolean true (missing data is false)."""
    return True if text is None else evaluate(text, context) is True


def context_for(event: dict[str, Any], customer: dict[str, Any]) -> dict[str, Any]:
    context = {"customer": customer, "event": event}
    noun = EVENT_NOUNS.get(event.get("type", ""))
    if noun:
        context[noun] = event.get("data", {})
    return context
