"""Locale-aware Liquid filters: money, dates and numbers as the customer reads them (Babel).

``{{ cart.value | money: cart.currency }}`` gives ``49,90 €`` to a Finnish customer and
``€49.90`` to an English one; ``{{ order_date | format_date: "long" }}`` gives
``30. marraskuuta 2026`` or ``November 30, 2026``, in the customer's time zone.
The locale is the customer's ``locale`` (falling back to the template part's, then ``en``);
it reaches the filters through the render context, never through the template's own names.

Babel is imported on the first use of a filter: a send whose template formats nothing never
pays for it (its import and first locale load cost ~0.1 s each).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from liquid.filter import with_context

LOCALE_KEY = "_tact_locale"  # render-context globals Liquid templates cannot name
TIMEZONE_KEY = "_tact_timezone"
FALLBACK_LOCALE = "en"
DATE_STYLES = ("short", "medium", "long", "full")


class FilterInputError(ValueError):
    pass


@lru_cache(maxsize=256)  # parsed for every filter of every message; a run meets few tags
def babel_locale(tag: str | None) -> Any:
    """The Babel locale for a tag such as ``sv-FI`` or ``fi`` (None when Babel has none)."""
    from babel import Locale, UnknownLocaleError

    if not tag:
        return None
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


def _locale(context: Any) -> Any:
    for tag in (context.globals.get(LOCALE_KEY), FALLBACK_LOCALE):
        found = babel_locale(tag) if isinstance(tag, str) else None
        if found is not None:
            return found
    return None


def _number(value: Any, name: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise FilterInputError(f"{name}: {value!r} is not a number") from None


@with_context
def money(value: Any, currency: Any = "EUR", *, context: Any) -> str:
    """An amount in a currency as the customer's locale writes it: ``49,90 €``."""
    if not isinstance(currency, str) or len(currency) != 3:
        raise FilterInputError(f"money: currency {currency!r} is not an ISO 4217 code like EUR")
    return _currency_text(str(_number(value, "money")), currency.upper(), _locale(context))


@lru_cache(maxsize=4096)  # a catalogue's prices repeat across customers; formatting is slow
def _currency_text(amount: str, currency: str, locale: Any) -> str:
    """Keyed by the amount's exact text, not its value: 1E+2 and 100 are one key each."""
    from babel.numbers import format_currency

    return str(format_currency(Decimal(amount), currency, locale=locale))


@with_context
def format_number(value: Any, *, context: Any) -> str:
    """A number with the locale's separators: ``1 234,5`` (fi) or ``1,234.5`` (en)."""
    from babel.numbers import format_decimal

    return str(format_decimal(_number(value, "format_number"), locale=_locale(context)))


def _moment(value: Any) -> date | datetime:
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if "T" in text or " " in text:
                return datetime.fromisoformat(text.replace("Z", "+00:00"))
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise FilterInputError(f"format_date: {value!r} is not an ISO 8601 date or date-time")


@with_context
def format_date(value: Any, style: Any = "medium", *, context: Any) -> str:
    """A date (or the date of a date-time, in the customer's time zone) in the locale's words:
    ``style`` is short, medium, long or full, or a Unicode (CLDR) pattern such as ``d.M.``."""
    from babel.dates import format_date as babel_format_date

    moment = _moment(value)
    if isinstance(moment, datetime):
        moment = _in_zone(moment, context).date()
    return str(babel_format_date(moment, format=str(style), locale=_locale(context)))


@with_context
def format_datetime(value: Any, style: Any = "medium", *, context: Any) -> str:
    """A date-time in the customer's time zone and the locale's words (styles as above)."""
    from babel.dates import format_datetime as babel_format_datetime

    moment = _moment(value)
    if not isinstance(moment, datetime):
        raise FilterInputError(f"format_datetime: {value!r} has no time of day")
    return str(babel_format_datetime(_in_zone(moment, context), format=str(style),
                                     locale=_locale(context)))


def _in_zone(moment: datetime, context: Any) -> datetime:
    from zoneinfo import ZoneInfo

    zone = context.globals.get(TIMEZONE_KEY)
    if moment.tzinfo is None or not isinstance(zone, str):
        return moment
    try:
        return moment.astimezone(ZoneInfo(zone))
    except (ValueError, KeyError, OSError):
        return moment


FILTERS = {"money": money, "format_number": format_number, "format_date": format_date,
           "format_datetime": format_datetime}
