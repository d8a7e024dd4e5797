"""Rendering a message takes shortcuts that must never change its text: a template reading
nothing is rendered once, not per customer; a part's fields are read without serialising the
part. Each is checked against the plain way (Liquid rendering every time; ``model_dump``)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tact.template_filters import LOCALE_KEY
from tact.templates import (
    EmailPart,
    MessageParts,
    PushPart,
    SmsPart,
    TemplateError,
    WebhookPart,
    _environment,
    render_text,
)

# Pieces of Liquid: plain text, markup that reads nothing (literals, tags, comments, raw,
# whitespace control), markup that reads or filters (a filter reads the customer's locale),
# and broken markup.
FRAGMENTS = ["Your cart is saved", " ", "\n", "<b>&amp;</b>", "é€", "{{ 'x' }}", "{{ 1 }}",
             "{{- ' ' -}}", "{% if true %}y{% endif %}", "{% raw %}{{ name }}{% endraw %}",
             "{% comment %}c{% endcomment %}", "{% # note %}", "{{ name }}",
             "{{ name | upcase }}", "{{ 'a<b' | upcase }}", "{% assign n = 2 %}{{ n }}",
             "{{ 5 | money }}", "{{ missing }}", "{", "}}", "{{", "{% if %}", "{% include 'x' %}"]
sources = st.lists(st.sampled_from(FRAGMENTS), max_size=6).map("".join) | st.text(max_size=40)


def _plain(source: str, context: dict[str, Any], html: bool) -> str | type[TemplateError]:
    try:
        template = _environment(autoescape=html).from_string(source)
        return str(template.render(**context))
    except Exception:
        return TemplateError


def _shortcut(source: str, context: dict[str, Any], html: bool) -> str | type[TemplateError]:
    try:
        return render_text(source, context, html=html)
    except TemplateError:
        return TemplateError


def _same_as_plain(source: str, name: str) -> None:
    for html in (False, True):
        for context in ({"name": name}, {"name": name.upper(), LOCALE_KEY: "fi"}):
            assert _shortcut(source, context, html) == _plain(source, context, html), source


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_each_piece_renders_what_liquid_renders_every_time(fragment: str) -> None:
    _same_as_plain(fragment, "ana")


@given(source=sources, name=st.text(max_size=5))
def test_a_template_renders_what_liquid_renders_every_time(source: str, name: str) -> None:
    _same_as_plain(source, name)


texts = st.text(max_size=8)
parts = st.builds(MessageParts,
                  email=st.none() | st.builds(EmailPart, subject=texts, html=st.none() | texts,
                                              text=texts),
                  sms=st.none() | st.builds(SmsPart, text=texts),
                  push=st.none() | st.builds(PushPart, title=texts, body=texts),
                  webhook=st.none() | st.builds(WebhookPart, body=texts))


@given(parts=parts)
def test_a_parts_fields_are_its_dumped_fields(parts: MessageParts) -> None:
    for channel in ("email", "sms", "push", "webhook"):
        part = getattr(parts, channel)
        dumped = {} if part is None else {k: v for k, v in part.model_dump().items()
                                          if v is not None}
        assert parts.fields(channel) == dumped
        assert list(parts.fields(channel)) == list(dumped)
