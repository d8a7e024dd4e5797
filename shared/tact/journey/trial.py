"""`tact validate` runs every journey expression on example events of its type.

Reading the right fields is not enough: ``$number(order.order_id) > 1000`` reads a field that
exists and still fails on ``"WEB-1001"``; an unbounded recursion never ends. Each expression is
evaluated, with its run-time budgets, on two examples of the event it sees: one with every
field set as shops send them, one with only the required fields and a customer nothing is known
about yet. A failure is reported at file:line:col, like a type error, before it fails at run
time (where it would, fail-safe, send nothing).
"""

from __future__ import annotations

from typing import Any

from tact.diagnostics import Diagnostic
from tact.expressions import ExpressionError, context_for, evaluate
from tact.journey.model import Journey
from tact.journey.sites import ExpressionSite, expression_sites
from tact.journey.yamlsource import YamlDocument

_ITEM = {"sku": "SKU-1", "name": "Mug", "category": "home", "price": 19.95, "quantity": 2}
_CONTACT = {"email": "sample@example.com", "phone": "+4915100000000",
            "timezone": "Europe/Berlin", "locale": "de-DE", "has_account": True,
            "preferred_channel": "email", "first_name": "Sam"}
_CART = {"cart_id": "c-1001", "value": 39.9, "currency": "EUR", "items": [_ITEM]}
FULL: dict[str, dict[str, Any]] = {
    "customer_updated": _CONTACT, "signup": _CONTACT, "account_created": _CONTACT,
    "consent_changed": {"channel": "email", "purpose": "marketing", "granted": True,
                        "source": "preference_center"},
    "cart_updated": _CART, "checkout_started": _CART, "cart_emptied": {"cart_id": "c-1001"},
    "purchase_completed": {**_CART, "order_id": "WEB-1001", "recommendations": [_ITEM]},
    "order_refunded": {"order_id": "WEB-1001", "value": 19.95, "currency": "EUR",
                       "full": False, "items": [_ITEM]},
    "lifecycle_changed": {"stage": "lapsed", "previous": "active",
                          "last_purchase_at": "2026-06-01T12:00:00Z"},
}
MINIMAL: dict[str, dict[str, Any]] = {
    "consent_changed": {"channel": "email", "purpose": "marketing", "granted": False},
    "cart_updated": {"cart_id": "c-1", "value": 0}, "checkout_started": {"cart_id": "c-1"},
    "cart_emptied": {"cart_id": "c-1"},
    "purchase_completed": {"order_id": "1", "value": 0},
    "order_refunded": {"order_id": "1", "value": 0},
    "lifecycle_changed": {"stage": "prospect"},
}
CUSTOMER: dict[str, Any] = {
    "favorite_category": "home", "order_count": 3, "total_spent": 149.7,
    "average_order_value": 49.9, "last_purchase_at": "2026-06-01T12:00:00Z",
    "first_purchase_at": "2025-06-01T12:00:00Z", "lifecycle_stage": "active",
    "next_best_products": [{**_ITEM, "score": 0.8}], "purchase_propensity_30d": 0.4,
    "churn_risk": 0.2, "tags": ["vip"], **_CONTACT,
    "push_endpoint": "arn:aws:sns:eu-west-1:123456789012:endpoint/GCM/app/sample",
}


def _envelope(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"example-{event_type}", "type": event_type, "customer_id": "example",
            "time": "2026-11-02T10:00:00Z", "data": data}


def _contexts(site: ExpressionSite, trigger: str) -> list[dict[str, Any]]:
    """What the expression sees at run time, for a well-known and a brand-new customer."""
    contexts = []
    for examples, customer in ((FULL, CUSTOMER), (MINIMAL, {})):
        freshness = dict.fromkeys(customer, "2026-11-01T09:00:00Z")
        seen = context_for(_envelope(site.event, examples.get(site.event, {})), customer,
                           freshness)
        if site.with_entry:
            seen["entry"] = context_for(_envelope(trigger, examples.get(trigger, {})), customer,
                                        freshness)
        contexts.append(seen)
    return contexts


def try_expressions(journey: Journey, doc: YamlDocument, out: list[Diagnostic]) -> None:
    for site in expression_sites(journey):
        for context in _contexts(site, journey.trigger.event):
            try:
                evaluate(site.text, context)
            except ExpressionError as err:
                line, col = doc.locate_in_value(site.loc, err.position or 0, site.text)
                out.append(Diagnostic(
                    str(doc.path), line, col,
                    f"expression fails on an example {site.event} event ({err.code}): "
                    f"{str(err).split(' failed: ', 1)[-1]}",
                    "make it work for every event of this type (e.g. test the value's type "
                    "first); at run time it would fail and send nothing"))
                break
