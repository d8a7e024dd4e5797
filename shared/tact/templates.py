"""Message templates: Liquid, rendered strictly (an undefined variable is an error, never a blank).

A template file ``journeys/templates/<name>.yaml`` holds one message with a part per
channel: ``email: {subject, html, text}``, ``sms: {text}``, ``push: {title, body}``,
``webhook: {body}``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict


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


class MessageTemplate(_Strict):
    email: EmailPart | None = None
    sms: SmsPart | None = None
    push: PushPart | None = None
    webhook: WebhookPart | None = None

    def channels(self) -> list[str]:
        return [c for c in ("email", "sms", "push", "webhook") if getattr(self, c) is not None]

    def fields(self, channel: str) -> dict[str, str]:
        part = getattr(self, channel)
        return {} if part is None else {k: v for k, v in part.model_dump().items() if v is not None}


class TemplateError(ValueError):
    pass


@lru_cache(maxsize=1)
def _environment() -> Any:
    # Imported lazily: python-liquid costs noticeable cold-start time and only sends need it.
    from liquid import Environment, StrictDefaultUndefined

    return Environment(undefined=StrictDefaultUndefined, autoescape=False)


@lru_cache(maxsize=1)
def _html_environment() -> Any:
    from liquid import Environment, StrictDefaultUndefined

    # HTML bodies escape event data, so shop data can never inject markup.
    return Environment(undefined=StrictDefaultUndefined, autoescape=True)


@lru_cache(maxsize=1024)
def _parse(source: str, html: bool = False) -> Any:
    env = _html_environment() if html else _environment()
    try:
        return env.from_string(source)
    except Exception as err:
        raise TemplateError(str(err).splitlines()[0]) from None


def check_syntax(source: str) -> None:
    _parse(source)


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


def render_text(source: str, context: dict[str, Any], *, html: bool = False) -> str:
    try:
        return _parse(source, html).render(**context)
    except TemplateError:
        raise
    except Exception as err:
        raise TemplateError(str(err).splitlines()[0]) from None


def render_message(
    template: MessageTemplate, channel: str, context: dict[str, Any]
) -> dict[str, str]:
    return {
        name: render_text(source, context, html=(name == "html"))
        for name, source in template.fields(channel).items()
    }


class PreviewError(ValueError):
    pass


SAMPLE_LINKS = {"unsubscribe": "https://prefs.example.com/unsubscribe/SAMPLE",
                "preferences": "https://prefs.example.com/preferences/SAMPLE"}


def preview_template(project: Any, name: str, sample_path: Any,
                     channel: str | None = None) -> dict[str, dict[str, str]]:
    """Render template ``name`` of a loaded project for the sample customer in a YAML/JSON file.

    The sample is ``{customer: {attributes}, event: {type, data}}`` (or just the attributes).
    """
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
    context = context_for(event, customer)
    context["links"] = {**SAMPLE_LINKS, **(sample.get("links") or {})}
    channels = [channel] if channel else template.channels()
    rendered: dict[str, dict[str, str]] = {}
    for chan in channels:
        if chan not in template.channels():
            raise PreviewError(f"template {name!r} has no {chan} part; it has: "
                               f"{', '.join(template.channels())}")
        try:
            rendered[chan] = render_message(template, chan, context)
        except TemplateError as err:
            raise PreviewError(f"template {name!r} ({chan}) cannot be rendered for {path}: "
                               f"{err}") from None
    return rendered
