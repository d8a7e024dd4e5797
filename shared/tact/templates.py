"""Message templates: Liquid, rendered strictly (an undefined variable is an error, never a blank).

A template file ``journeys/templates/<name>.yaml`` holds one message with a part per
channel: ``email: {subject, html, text}``, ``sms: {text}``, ``push: {title, body}``,
``webhook: {body}``; optionally the same parts per locale under ``locales: {fi: {...},
sv: {...}}``. A customer gets the part of their ``locale`` with a fallback chain
(``sv-FI`` -> ``sv`` -> the default parts).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmailPart(_Strict):
    subject: str
    html: str | None = None
    text: str


class SmsPart(_Strict):
    text: str


class PushPart(_Strict):
    title: str
    body: str


class WebhookPart(_Strict):
    body: str


class MessageParts(_Strict):
    email: EmailPart | None = None
    sms: SmsPart | None = None
    push: PushPart | None = None
    webhook: WebhookPart | None = None

    def channels(self) -> list[str]:
        return [c for c in ("email", "sms", "push", "webhook") if getattr(self, c) is not None]

    def fields(self, channel: str) -> dict[str, str]:
        part = getattr(self, channel)
        if part is None:
            return {}
        # Read field by field: what model_dump gives for these flat text parts, without
        # serialising a part per message sent.
        return {name: value for name in type(part).model_fields
                if (value := getattr(part, name)) is not None}


# BCP 47 as shops use it: language, optional script, optional region (fi, sv-FI, zh-Hant-TW).
LocaleTag = Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?$")]
DEFAULT_PART = "default"  # the locale recorded when a customer gets the default parts
PLACEHOLDER = "FILL IN"  # what `tact import-pinpoint` writes where the marketer must write


def locale_chain(tag: str | None) -> list[str]:
    """Tags to try for a customer's locale, most specific first: sv-FI, then sv."""
    if not tag or not isinstance(tag, str):
        return []
    subtags = [s for s in tag.strip().replace("_", "-").split("-") if s]
    if not subtags:
        return []
    normal = [subtags[0].lower()] + [s.upper() if len(s) in (2, 3) and i else s.title()
                                     for i, s in enumerate(subtags[1:], 1)]
    return ["-".join(normal[:n]) for n in range(len(normal), 0, -1)]


class MessageTemplate(MessageParts):
    locales: dict[LocaleTag, MessageParts] = Field(
        default_factory=dict, description="the same parts per locale (fi, sv, sv-FI, en, ...): "
        "a customer gets the part of their `locale`, else of its language (sv-FI -> sv), else "
        "the parts above")

    def for_locale(self, tag: str | None) -> tuple[str, MessageParts]:
        """The part a customer with locale ``tag`` gets, and its locale (or "default")."""
        for candidate in locale_chain(tag):
            if candidate in self.locales:
                return candidate, self.locales[candidate]
        return DEFAULT_PART, self

    def all_parts(self) -> list[tuple[tuple[str, ...], MessageParts]]:
        """The default parts and each locale's, with where they are in the file."""
        return [((), self), *((("locales", tag), parts) for tag, parts in self.locales.items())]


def template_fields(template: MessageTemplate) -> list[tuple[tuple[str, ...], str, str, str]]:
    """Every text of a template, each locale's too: (location, channel, field, source)."""
    return [((*prefix, channel, name), channel, name, source)
            for prefix, parts in template.all_parts() for channel in parts.channels()
            for name, source in parts.fields(channel).items()]


class TemplateError(ValueError):
    """``offset``: the character of the template source the error is about (when known)."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset


# Budgets of one rendering (python-liquid raises a ResourceLimitError past each): a message
# is a few KB; a cart has a few dozen items. Nesting and context depth keep Liquid's defaults.
LOOP_ITERATIONS = 1_000  # all loops of one rendering together
OUTPUT_CHARACTERS = 200_000
LOCAL_NAMESPACE_BYTES = 100_000  # `assign` and `capture`
# Templates are self-contained: there is no template loader (a name could read any file).
UNSUPPORTED_TAGS = {"include": "{% include %}", "render": "{% render %}"}


@lru_cache(maxsize=2)
def _environment(autoescape: bool = False) -> Any:
    # Imported lazily: python-liquid costs noticeable cold-start time and only sends need it.
    from liquid import Environment, StrictDefaultUndefined

    from tact.template_filters import FILTERS

    class Bounded(Environment):
        loop_iteration_limit = LOOP_ITERATIONS
        output_stream_limit = OUTPUT_CHARACTERS
        local_namespace_limit = LOCAL_NAMESPACE_BYTES

        def setup_tags_and_filters(self, **kwargs: Any) -> None:
            super().setup_tags_and_filters(**kwargs)
            for tag in UNSUPPORTED_TAGS:
                self.tags.pop(tag, None)

    env = Bounded(undefined=StrictDefaultUndefined, autoescape=autoescape)
    env.filters.update(FILTERS)
    return env


def _html_environment() -> Any:
    # HTML bodies escape event data, so shop data can never inject markup.
    return _environment(autoescape=True)


def _template_error(err: Exception) -> TemplateError:
    token = getattr(err, "token", None)
    offset = getattr(token, "start_index", None)
    message = str(err).splitlines()[0] if str(err).strip() else type(err).__name__
    tag = getattr(token, "value", None)
    if "unexpected tag" in message and tag in UNSUPPORTED_TAGS:
        message = (f"{UNSUPPORTED_TAGS[tag]} is not supported: a template is one "
                   "self-contained message; write the shared text into it")
    return TemplateError(message, offset if isinstance(offset, int) and offset >= 0 else None)


@lru_cache(maxsize=1024)
def _parse(source: str, html: bool = False) -> Any:
    env = _html_environment() if html else _environment()
    try:
        return env.from_string(source)
    except Exception as err:
        raise _template_error(err) from None


def check_syntax(source: str) -> None:
    _parse(source)


def parse_template(source: str) -> Any:
    """The parsed Liquid template (for static analysis of what it reads)."""
    return _parse(source)


def analyze(source: str) -> tuple[list[tuple[list[str], int]], list[tuple[str, int]]]:
    """The global variables (segments, offset) and filters (name, offset) a template uses."""
    analysis = _parse(source).analyze()
    variables = [([str(seg) for seg in var.segments], var.span.index)
                 for uses in analysis.globals.values() for var in uses]
    filters = [(str(name), span.index) for name, spans in analysis.filters.items()
               for span in spans]
    return variables, filters


def all_variables(source: str) -> list[tuple[list[str], int]]:
    """Every variable a template reads, loop variables included (segments, offset)."""
    return [([str(seg) for seg in var.segments], var.span.index)
            for uses in _parse(source).analyze().variables.values() for var in uses]


def known_filters() -> list[str]:
    return sorted(_environment().filters)


def variables_used(source: str) -> set[str]:
    """Root names of the global variables a template reads (for validate-time checks)."""
    return {str(name) for name in _parse(source).analyze().globals}


@lru_cache(maxsize=1024)
def _constant_text(source: str, html: bool = False) -> str | None:
    """What a template that reads nothing (no variable, filter or tag) renders: the same text
    for every customer (a fixed subject line), so rendered once. None for any other."""
    template = _parse(source, html)
    analysis = template.analyze()
    if analysis.variables or analysis.filters or analysis.tags:
        return None
    try:
        return str(template.render())
    except Exception:
        return None  # rendered per message, where its error is reported as any template's


def render_text(source: str, context: dict[str, Any], *, html: bool = False) -> str:
    try:
        constant = _constant_text(source, html)
        if constant is not None:
            return constant
        return _parse(source, html).render(context)  # Liquid copies the mapping once
    except TemplateError:
        raise
    except Exception as err:  # undefined variables, and the budgets above
        raise _template_error(err) from None


def render_message(
    template: MessageParts, channel: str, context: dict[str, Any], locale: str | None = None
) -> dict[str, str]:
    """Render one channel of ``template`` (pick a locale's part with ``for_locale`` first).

    Money and date filters format for the customer's own locale and time zone, else ``locale``.
    """
    from tact.template_filters import LOCALE_KEY, TIMEZONE_KEY

    raw = context.get("customer")
    customer: dict[str, Any] = raw if isinstance(raw, dict) else {}
    own = customer.get("locale") if isinstance(customer.get("locale"), str) else None
    values = {**context, LOCALE_KEY: own or (locale if locale != DEFAULT_PART else None),
              TIMEZONE_KEY: customer.get("timezone")}
    return {name: render_text(source, values, html=(name == "html"))
            for name, source in template.fields(channel).items()}


def locale_problems(template: MessageTemplate) -> list[tuple[tuple[Any, ...], str, str]]:
    """Where a locale's parts differ from the default parts: channels, fields or the names
    they read (a translation must say the same things). (location, message, hint)"""
    problems: list[tuple[tuple[Any, ...], str, str]] = []
    for tag, parts in template.locales.items():
        where = ("locales", tag)
        for channel in sorted(set(template.channels()) ^ set(parts.channels())):
            has = channel in parts.channels()
            problems.append(((*where, channel) if has else where,
                             f"locale {tag!r} {'has' if has else 'lacks'} the {channel} part "
                             f"{'the default parts lack' if has else 'of the default parts'}",
                             "give every locale the same channels as the default parts"))
        for channel in set(template.channels()) & set(parts.channels()):
            mine, default = parts.fields(channel), template.fields(channel)
            for name in sorted(set(mine) ^ set(default)):
                has = name in mine
                problems.append(((*where, channel, name) if has else (*where, channel),
                                 f"locale {tag!r} {'has' if has else 'lacks'} {channel}.{name}",
                                 "give every locale the same fields as the default parts"))
            for name in sorted(set(mine) & set(default)):
                ours, theirs = _names_read(mine[name]), _names_read(default[name])
                if ours != theirs:
                    diff = sorted(ours - theirs) + sorted(theirs - ours)
                    problems.append(((*where, channel, name),
                                     f"locale {tag!r} {channel}.{name} reads "
                                     f"{', '.join(sorted(ours)) or 'nothing'}, the default "
                                     f"reads {', '.join(sorted(theirs)) or 'nothing'}",
                                     f"translate the same content: check {', '.join(diff)}"))
    return problems


def _names_read(source: str) -> set[str]:
    try:
        variables, _ = analyze(source)
    except TemplateError:
        return set()  # reported as a syntax error where the field is checked
    return {".".join(segments) for segments, _ in variables}


class PreviewError(ValueError):
    pass


SAMPLE_LINKS = {"unsubscribe": "https://prefs.example.com/unsubscribe/SAMPLE",
                "preferences": "https://prefs.example.com/preferences/SAMPLE"}


def preview_template(project: Any, name: str, sample_path: Any,
                     channel: str | None = None) -> dict[str, dict[str, str]]:
    """Render template ``name`` of a loaded project for the sample customer in a YAML/JSON file.

    The sample is ``{customer: {attributes}, event: {type, data}}`` (or just the attributes).
    """
    return preview_localized(project, name, sample_path, channel)[1]


def preview_localized(project: Any, name: str, sample_path: Any, channel: str | None = None,
                      locale: str | None = None) -> tuple[str, dict[str, dict[str, str]]]:
    """As ``preview_template``, for the sample's locale or ``locale`` (a tag, or "default"
    for the default parts): the part that locale gets, and what it renders."""
    from pathlib import Path

    from tact.diagnostics import ProjectError
    from tact.expressions import context_for
    from tact.journey.yamlsource import load_yaml

    template = project.templates.get(name)
    if template is None:
        known = ", ".join(sorted(project.templates)) or "none"
        raise PreviewError(f"no template {name!r}; known: {known}")
    path = Path(sample_path)
    if not path.is_file():
        raise PreviewError(f"{path}: file not found")
    try:
        sample = load_yaml(path).data or {}
    except ProjectError as err:
        raise PreviewError(str(err)) from None
    if not isinstance(sample, dict):
        raise PreviewError(f"{path}:1:1: expected a mapping with `customer` (and `event`)")
    customer = sample.get("customer", {} if "event" in sample else sample)
    event = sample.get("event") or {}
    if not isinstance(customer, dict) or not isinstance(event, dict):
        raise PreviewError(f"{path}:1:1: `customer` and `event` must be mappings")
    if locale == DEFAULT_PART:
        tag, parts = DEFAULT_PART, template
    else:
        if locale is not None:
            customer = {**customer, "locale": locale}
        tag, parts = template.for_locale(customer.get("locale"))
    context = context_for(event, customer)
    context["links"] = {**SAMPLE_LINKS, **(sample.get("links") or {})}
    channels = [channel] if channel else parts.channels()
    rendered: dict[str, dict[str, str]] = {}
    for chan in channels:
        if chan not in parts.channels():
            raise PreviewError(f"template {name!r} has no {chan} part; it has: "
                               f"{', '.join(parts.channels())}")
        try:
            rendered[chan] = render_message(parts, chan, context, tag)
        except TemplateError as err:
            raise PreviewError(f"template {name!r} ({chan}, {tag}) cannot be rendered for "
                               f"{path}: {err}") from None
    return tag, rendered
