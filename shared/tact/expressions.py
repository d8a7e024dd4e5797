"""The one expression language: JSONata, evaluated by Tact's Lambdas with jsonata-python.

Conditions in journey files are evaluated on the *expression context*:
``{"customer": profile attributes, "freshness": when each attribute was last set,
"event": the trigger envelope, <noun>: event data}`` where the noun is ``cart`` for cart
events, ``order`` for purchases, ``consent`` for consent changes, ``lifecycle`` for lifecycle
changes, so a marketer writes ``cart.value >= 20``. Templates see the same names (plus
``links``), so one customer model serves both.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jsonata

EVENT_NOUNS = {
    "cart_updated": "cart",
    "cart_emptied": "cart",
    "checkout_started": "cart",
    "purchase_completed": "order",
    "order_refunded": "order",
    "consent_changed": "consent",
    "lifecycle_changed": "lifecycle",
    "signup": "signup",
    "account_created": "account",
}

# The customer model: what journeys may read of a profile (and what each means).
CUSTOMER_ATTRIBUTES: dict[str, str] = {
    "favorite_category": "category with the most (recent) spend",
    "order_count": "number of purchases",
    "total_spent": "sum of purchase values",
    "average_order_value": "total_spent / order_count",
    "last_purchase_at": "time of the last purchase (ISO 8601)",
    "first_purchase_at": "time of the first purchase (ISO 8601)",
    "next_best_products": "up to 5 products to suggest next, best first: {sku, name, category, "
    "score}; never what the customer bought (tact.recommend)",
    "purchase_propensity_30d": "probability of a purchase in the next 30 days, 0-1 (BG/NBD); "
    "for deciding, never for showing",
    "churn_risk": "probability the customer has stopped buying, 0-1 (BG/NBD); for deciding, "
    "never for showing",
    "lifecycle_stage": "prospect | active | lapsed",
    "has_account": "true when the customer has a login",
    "preferred_channel": "email | sms | push | webhook",
    "timezone": "IANA time zone, e.g. Europe/Berlin",
    "locale": "e.g. de-DE",
    "email": "email address",
    "phone": "phone number (E.164)",
    "push_endpoint": "push endpoint",
    "first_name": "first name (personalize sparingly: most recipients dislike it)",
    "tags": "tags set by journeys' update steps",
}
TEMPLATE_ONLY_ROOTS = ("links",)


# Budgets of one evaluation. A runaway expression (unbounded recursion, a loop over a huge
# range) is stopped with JSONata's own errors D1011 (depth) and D1012 (time): jsonata-python
# checks both on entry to and exit from every evaluation step, in the evaluating thread, so
# no timer thread or signal is needed (Lambda-safe). A depth of 500 is ~150 levels of a
# recursive function, far below Python's recursion limit (which jsonata-python sets to
# 10,000 frames, reached near depth 2,500); real conditions use a few dozen.
MAX_MILLISECONDS = 250
MAX_DEPTH = 500


class ExpressionError(ValueError):
    """``code``: JSONata's error code (e.g. T2001, D1012) or the Python error's name;
    ``position``: the character of the expression where it happened (when known)."""

    def __init__(self, message: str, code: str = "", position: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.position = position


class _Bounded:
    """A journey condition with its budgets, restarted for every evaluation."""

    def __init__(self, compiled: jsonata.Jsonata) -> None:
        from jsonata.timebox import Timebox

        self.compiled = compiled
        # Timebox registers its checks on the expression's environment; its clock starts at
        # construction, so each evaluation below restarts it.
        self.box = Timebox(compiled.environment, MAX_MILLISECONDS, MAX_DEPTH)

    def evaluate(self, context: Any, bindings: dict[str, Any] | None = None) -> Any:
        import jsonata

        self.box.time = self.box.current_milli_time()
        self.box.depth = 0
        # jsonata-python reads a thread-global "current expression" for higher-order functions.
        jsonata.Jsonata.CURRENT.jsonata = self.compiled
        return self.compiled.evaluate(context, bindings)


@lru_cache(maxsize=1024)
def compile_expression(text: str) -> jsonata.Jsonata:
    import jsonata  # on first use: simple comparisons never need it (cold start)

    try:
        return jsonata.Jsonata(text)
    except Exception as err:  # jsonata-python raises its own JException
        raise ExpressionError(f"invalid JSONata expression {text!r}: {err}",
                              *_code_and_position(err)) from None


@lru_cache(maxsize=1024)
def _bounded(text: str) -> _Bounded:
    """Its own compiled copy: the budgets hook into the expression's environment, which the
    local Step Functions executor's copy (``compile_expression``) must not carry."""
    import jsonata

    compile_expression(text)  # a syntax error is raised as ExpressionError, once
    return _Bounded(jsonata.Jsonata(text))


def _code_and_position(err: BaseException) -> tuple[str, int | None]:
    code = getattr(err, "error", None)
    position = getattr(err, "location", None)
    if isinstance(err, RecursionError):
        code = "D1011"  # too deep for Python itself: the same meaning as JSONata's own
    return (str(code) if code else type(err).__name__,
            position if isinstance(position, int) and position >= 0 else None)


def evaluate(text: str, context: dict[str, Any]) -> Any:
    try:
        return _bounded(text).evaluate(context, _clock_bindings(text))
    except ExpressionError:
        raise
    except Exception as err:  # any failure of this expression on this data, RecursionError too
        code, position = _code_and_position(err)
        raise ExpressionError(f"expression {text!r} failed: {_first_line(err)}", code,
                              position) from None


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def _clock_bindings(text: str) -> dict[str, Any] | None:
    """``$now()``/``$millis()`` read Tact's clock, so a simulation or a backtest of last month
    sees its own virtual time, as the deployed stack sees the wall clock. As in JSONata, every
    call within one evaluation answers the same instant."""
    if "$now" not in text and "$millis" not in text:
        return None
    import jsonata
    from jsonata.functions import Functions

    from tact import clock

    millis = int(clock.now().timestamp() * 1000)

    def now(picture: str | None = None, timezone: str | None = None) -> str:
        return str(Functions.datetime_from_millis(millis, picture, timezone))

    return {"now": jsonata.Jsonata.JLambda(now),
            "millis": jsonata.Jsonata.JLambda(lambda: millis)}


def is_true(text: str | None, context: dict[str, Any]) -> bool:
    """Conditions are true only when they evaluate to boolean true (missing data is false)."""
    if text is None:
        return True
    quick = _quick_compare(text, context)
    return quick if quick is not None else evaluate(text, context) is True


_COMPARISON = re.compile(
    r"\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*(<=|>=|!=|=|<|>)\s*"
    r"(-?\d+(?:\.\d+)?|'[^'\\]*'|\"[^\"\\]*\")\s*")
_COMPARE = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


@lru_cache(maxsize=1024)
def _comparison(text: str) -> tuple[tuple[str, ...], str, Any] | None:
    found = _COMPARISON.fullmatch(text)
    if found is None:
        return None
    path, op, literal = found.groups()
    value: Any = literal[1:-1] if literal[0] in "'\"" else float(literal)
    return tuple(path.split(".")), op, value


def _quick_compare(text: str, context: dict[str, Any]) -> bool | None:
    """``cart.value >= 20`` without the JSONata evaluator (the trigger test of every event):
    only a path through objects to a number (or string) against a literal of the same kind;
    anything else (missing data, arrays, mixed types) returns None and JSONata decides."""
    parsed = _comparison(text)
    if parsed is None:
        return None
    keys, op, literal = parsed
    value: Any = context
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    if isinstance(literal, str):
        return _COMPARE[op](value, literal) if isinstance(value, str) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return bool(_COMPARE[op](value, literal))


def freshness_of(state: Any) -> dict[str, Any]:
    """When each profile attribute of a ``CustomerState`` was last set (ISO time)."""
    return {name: found.get("at") for name, found in state.profile.get("attrs", {}).items()}


def context_for(event: dict[str, Any], customer: dict[str, Any],
                freshness: dict[str, Any] | None = None, data: Any = None) -> dict[str, Any]:
    """``data``: the event's data as its model validated it, where the caller has that already
    (ingest): it is what :func:`with_defaults` would make of the envelope's data, not redone."""
    context = {"customer": customer, "event": event, "freshness": freshness or {}}
    noun = EVENT_NOUNS.get(event.get("type", ""))
    if noun:
        context[noun] = (model_defaults(data) if data is not None
                         else with_defaults(event.get("type", ""), event.get("data", {})))
    return context


def model_defaults(data: Any) -> Any:
    """What :func:`with_defaults` makes of event data, from the data's validated model."""
    return _plain(data.model_dump(mode="python"))


def with_defaults(event_type: str, data: Any) -> Any:
    """Event data as its model reads it: fields the shop left out get their defaults (an item's
    ``quantity`` 1, a cart's ``currency``), so what `tact validate` allows a template to read
    is there at send time too. Data the model rejects is passed on as it is."""
    from pydantic import ValidationError

    from tact.models.events import DATA_MODELS

    model = DATA_MODELS.get(event_type)
    if model is None or not isinstance(data, dict):
        return data
    try:
        text = json.dumps(data)
    except (TypeError, ValueError):  # not plain JSON (e.g. Decimal values): no cache
        try:
            return _plain(model.model_validate(data).model_dump(mode="python"))
        except ValidationError:
            return data
    # Every context of a send or an event runs this on the same data again; validating it
    # once per distinct text saves ~10 % of a simulation. Callers get their own copy.
    cached = _defaults_of(event_type, text)
    return data if cached is None else _fresh(cached)


@lru_cache(maxsize=2048)
def _defaults_of(event_type: str, text: str) -> Any:
    from pydantic import ValidationError

    from tact.models.events import DATA_MODELS

    try:
        return _plain(DATA_MODELS[event_type].model_validate(json.loads(text))
                      .model_dump(mode="python"))
    except ValidationError:
        return None


def _fresh(value: Any) -> Any:
    if type(value) is dict:
        return {k: _fresh(v) for k, v in value.items()}
    if type(value) is list:
        return [_fresh(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_PATH = re.compile(r"(?<![\w$.])([A-Za-z_]\w*)((?:\s*\.\s*[A-Za-z_]\w*)*)")
_KEYWORDS = frozenset({"and", "or", "in", "true", "false", "null", "function"})


def paths_read(text: str) -> list[tuple[str, list[str], int]]:
    """Field paths an expression reads, as (root, segments, offset): a static, careful guess.

    String literals, ``$variables`` and function names are skipped; only plain paths such as
    ``customer.order_count`` are reported, which is what attribute checks need.
    """
    blanked = _STRING.sub(lambda m: " " * len(m.group(0)), text)
    found = []
    for match in _PATH.finditer(blanked):
        root = match.group(1)
        after = blanked[match.end():].lstrip()
        inside_filter = blanked.count("[", 0, match.start()) > blanked.count("]", 0, match.start())
        if root in _KEYWORDS or after.startswith("(") or inside_filter:
            continue  # a keyword, a function name or a path relative to a filtered array
        segments = [s.strip() for s in match.group(2).split(".") if s.strip()]
        found.append((root, segments, match.start()))
    return found
