"""Issue 15: templates in the customers' languages (a part per locale, chosen with a fallback
chain), checked alike at validate time, with money and dates in the customer's locale."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tact.cli import app
from tact.journey.project import load_project
from tact.templates import MessageTemplate, locale_chain, render_message

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "journeys" / "examples"

LOCALIZED = """\
email:
  subject: "Your cart is saved"
  text: "Total: {{ cart.value | money: cart.currency }}. {{ links.unsubscribe }}"
locales:
  fi:
    email:
      subject: "Ostoskorisi odottaa"
      text: "Yhteensä: {{ cart.value | money: cart.currency }}. {{ links.unsubscribe }}"
  sv:
    email:
      subject: "Din varukorg väntar"
      text: "Totalt: {{ cart.value | money: cart.currency }}. {{ links.unsubscribe }}"
"""
JOURNEY = """\
id: j
name: Cart
trigger: {event: cart_updated}
exit_on: [purchase_completed]
steps:
  - wait: 2h
  - send: {id: reminder, template: localized}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "templates", tmp_path / "templates")
    shutil.copy(EXAMPLES / "settings.yaml", tmp_path / "settings.yaml")
    (tmp_path / "templates" / "localized.yaml").write_text(LOCALIZED, encoding="utf-8")
    (tmp_path / "j.yaml").write_text(JOURNEY, encoding="utf-8")
    return tmp_path


def _template() -> MessageTemplate:
    from ruamel.yaml import YAML

    return MessageTemplate.model_validate(YAML(typ="safe").load(LOCALIZED))


@pytest.mark.parametrize(("locale", "chain"), [
    ("sv-FI", ["sv-FI", "sv"]), ("sv_fi", ["sv-FI", "sv"]), ("fi", ["fi"]),
    ("zh-hant-tw", ["zh-Hant-TW", "zh-Hant", "zh"]), ("", []), (None, [])])
def test_fallback_chain(locale: str | None, chain: list[str]) -> None:
    assert locale_chain(locale) == chain


@pytest.mark.parametrize(("locale", "part"), [
    ("fi", "fi"), ("fi-FI", "fi"), ("sv-FI", "sv"), ("sv", "sv"), ("de-DE", "default"),
    (None, "default")])
def test_a_customer_gets_the_part_of_their_locale_or_its_language_or_the_default(
        locale: str | None, part: str) -> None:
    assert _template().for_locale(locale)[0] == part


@pytest.mark.parametrize(("locale", "total"), [
    ("fi", "Yhteensä: 49,90\xa0€."), ("sv-FI", "Totalt: 49,90\xa0€."),
    ("en", "Total: €49.90."), (None, "Total: €49.90.")])
def test_money_is_written_as_the_customers_locale_writes_it(locale: str | None,
                                                             total: str) -> None:
    template = _template()
    tag, parts = template.for_locale(locale)
    context = {"customer": {"locale": locale} if locale else {},
               "cart": {"value": 49.9, "currency": "EUR"}, "links": {"unsubscribe": "U"}}
    assert render_message(parts, "email", context, tag)["text"] == f"{total} U"


def test_dates_in_the_customers_locale_and_time_zone() -> None:
    parts = MessageTemplate(email={"subject": "s", "text": (
        "{{ order.at | format_date: 'long' }} / {{ order.day | format_date: 'short' }}")})
    context = {"customer": {"locale": "fi", "timezone": "Europe/Helsinki"},
               "order": {"at": "2026-11-30T23:30:00Z", "day": "2026-12-24"}}
    # 23:30 UTC is already 1 December in Helsinki.
    assert render_message(parts, "email", context)["text"] == "1. joulukuuta 2026 / 24.12.2026"
    context["customer"] = {"locale": "en-US"}
    assert render_message(parts, "email", context)["text"] == "November 30, 2026 / 12/24/26"


def test_money_of_something_that_is_not_an_amount_is_a_render_error() -> None:
    from tact.templates import TemplateError

    parts = MessageTemplate(email={"subject": "s", "text": "{{ x | money: 'EUR' }}"})
    with pytest.raises(TemplateError, match="money: 'lots' is not a number"):
        render_message(parts, "email", {"x": "lots"})


def test_the_localized_template_validates(project: Path) -> None:
    assert [d.message for d in load_project(project).diagnostics] == []


@pytest.mark.parametrize(("change", "message"), [
    (("      text: \"Yhteensä: {{ cart.value | money: cart.currency }}. "
      "{{ links.unsubscribe }}\"\n",
      "      text: \"Yhteensä: {{ cart.total }}. {{ links.unsubscribe }}\"\n"),
     "locale 'fi' email.text reads cart.total, links.unsubscribe, the default reads "
     "cart.currency, cart.value, links.unsubscribe"),
    (("      subject: \"Din varukorg väntar\"\n",
      "      subject: \"Din varukorg väntar\"\n      html: \"<p>{{ links.unsubscribe }}</p>\"\n"),
     "locale 'sv' has email.html"),
    (("    email:\n      subject: \"Ostoskorisi",
      "    sms: {text: \"{{ links.unsubscribe }}\"}\n    email:\n      subject: \"Ostoskorisi"),
     "locale 'fi' has the sms part the default parts lack"),
    (("  sv:\n", "  sv-fi:\n"), "String should match pattern"),
])
def test_every_locale_has_the_same_parts_and_variables(project: Path, change: tuple[str, str],
                                                       message: str) -> None:
    path = project / "templates" / "localized.yaml"
    text = path.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(project)])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split()), result.output
    assert "localized.yaml:" in result.output


def test_preview_per_locale(project: Path) -> None:
    sample = project.parent / "sample.yaml"
    sample.write_text("customer: {locale: sv-FI}\nevent:\n  type: cart_updated\n"
                      "  data: {cart_id: c1, value: 49.9, currency: EUR}\n")
    runner = CliRunner()
    own = runner.invoke(app, ["preview", "localized", "-c", str(sample), "-j", str(project)])
    assert own.exit_code == 0, own.output
    assert "── email (sv) ──" in own.output and "Totalt: 49,90" in own.output
    every = runner.invoke(app, ["preview", "localized", "-c", str(sample), "-j", str(project),
                                "--locale", "all"])
    assert every.exit_code == 0, every.output
    for header in ("── email (default) ──", "── email (fi) ──", "── email (sv) ──"):
        assert header in every.output
    assert "Yhteensä: 49,90" in every.output


@pytest.mark.parametrize(("folder", "locale", "line"), [
    ("journeys", None, "Total: €49.90"), ("journeys/examples", "fi-FI", "Yhteensä: 49,90\xa0€"),
    ("journeys/examples", "sv-FI", "Totalt: 49,90\xa0€"),
    ("journeys/examples", "en-GB", "Total: €49.90")])
def test_the_shipped_cart_reminder_writes_money_the_customers_way(
        folder: str, locale: str | None, line: str) -> None:
    """Finding 8: it said `Total: 49.9 EUR`."""
    template = load_project(ROOT / folder).templates["cart_reminder_1"]
    tag, parts = template.for_locale(locale)
    context = {"customer": {"locale": locale} if locale else {}, "links": {"unsubscribe": "U"},
               "cart": {"value": 49.9, "currency": "EUR", "items": []}}
    assert line in render_message(parts, "email", context, tag)["text"].splitlines()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(
    st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, places=None)
    | st.sampled_from(["1E+2", "100", "100.0", "49.9", "49.90", "-0", "0.005"]).map(Decimal),
    st.sampled_from(["EUR", "eur", "JPY", "USD", "SEK"]),
    st.sampled_from(["fi", "sv-FI", "en", "en-US", "de", "ja", None, "xx-nope"])),
    min_size=1, max_size=12))
def test_remembered_money_is_babels_money_whatever_came_before(
        calls: list[tuple[Decimal, str, str | None]]) -> None:
    """money remembers its formatting (prices repeat across customers): a run of amounts in
    any order, equal values written differently and locales interleaved, gives what Babel
    gives for each one alone."""
    from babel import Locale
    from babel.numbers import format_currency

    parts = MessageTemplate(email={"subject": "s", "text": "{{ v | money: c }}"})
    for amount, currency, locale in calls:
        tag = locale if locale != "xx-nope" else None
        expected = format_currency(amount, currency.upper(),
                                   locale=Locale.parse((tag or "en").replace("-", "_")))
        context = {"customer": {"locale": locale} if locale else {}, "v": str(amount),
                   "c": currency}
        assert render_message(parts, "email", context)["text"] == expected
