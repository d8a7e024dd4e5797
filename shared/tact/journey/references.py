"""What of its trigger event a journey's execution needs: the fields its steps actually read.

An execution's input is kept in Step Functions' history and handed to every Lambda the
journey calls, so it carries ids plus only the trigger data that the journey's step
conditions (split ``if``, ``wait`` ``until``), its ``entry.*`` references (exit, goal and
``wait_for`` conditions) and the templates of its sends read. ``tact build`` stores these
paths in the bundle; ingest projects each trigger event onto them. Addresses (email, phone,
push endpoint) are never carried: the send Lambda reads them from the customer's profile.

The trigger's own ``when`` is evaluated by ingest on the whole event and needs nothing here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tact.expressions import EVENT_NOUNS
from tact.journey.model import (
    Branch,
    GoalStep,
    Journey,
    SendStep,
    SplitStep,
    WaitStep,
    iter_steps,
)
from tact.journey.projection import ADDRESS_FIELDS
from tact.templates import MessageTemplate

# Ids of the trigger's data are always carried: small, and they name what the entry is about.
ID_FIELDS = ("cart_id", "order_id")
WHOLE: tuple[str, ...] = ()  # the path that reads all of the trigger's data

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_PATH = re.compile(r"(?<![\w$.])([A-Za-z_]\w*)((?:\s*\.\s*[A-Za-z_]\w*)*)")
_CONTEXT_ROOT = re.compile(r"\$\$?\s*\.\s*")  # `$$.cart.value` reads the root's `cart.value`
_BARE_CONTEXT = re.compile(r"\$\$?(?![\w.$])")  # `$$` or `$` alone: the whole context


@dataclass(frozen=True)
class TriggerRead:
    """One read of the trigger's data: its path under ``data`` (``()`` = all of it) and where
    it is written (``template`` is empty for the journey file itself)."""

    path: tuple[str, ...]
    loc: tuple[Any, ...]
    offset: int
    text: str
    written: str  # the path as written, e.g. ``entry.order.order_id``
    template: str = ""


def _data_path(root: str, segments: list[str], noun: str | None) -> tuple[str, ...] | None:
    """The path under the trigger's ``data`` that ``root.segments`` reads, or None."""
    if noun and root == noun:
        return tuple(segments)
    if root == "event":
        if not segments or segments[0] == "data":
            return tuple(segments[1:])
        return None  # id, type, customer_id, time: always carried
    return None


def expression_reads(text: str, noun: str | None,
                     entry_only: bool) -> Iterator[tuple[tuple[str, ...], int, str]]:
    """Trigger data paths an expression reads, generously: inside filters too, and a path
    through ``$$``/``$`` as from the root. ``entry_only``: only ``entry.*`` is the trigger
    (exit, goal and wait_for conditions, where the plain names are the other event's)."""
    blanked = _STRING.sub(lambda m: " " * len(m.group(0)), text)
    if _BARE_CONTEXT.search(blanked) and not entry_only:
        yield WHOLE, _BARE_CONTEXT.search(blanked).start(), "$$"  # type: ignore[union-attr]
    blanked = _CONTEXT_ROOT.sub(lambda m: " " * len(m.group(0)), blanked)
    for match in _PATH.finditer(blanked):
        root = match.group(1)
        if blanked[match.end():].lstrip().startswith("("):
            continue  # a function name
        segments = [s.strip() for s in match.group(2).split(".") if s.strip()]
        written = ".".join([root, *segments])
        if entry_only or root == "entry":
            if root != "entry":
                continue
            if not segments:
                yield WHOLE, match.start(), written
                continue
            root, segments = segments[0], segments[1:]
        path = _data_path(root, segments, noun)
        if path is not None:
            yield path, match.start(), written


def template_reads(source: str, noun: str | None) -> Iterator[tuple[tuple[str, ...], int, str]]:
    """Trigger data paths a Liquid template reads; a loop variable's reads count as reads of
    the list it walks (``{% for item in cart.items %}{{ item.name }}`` reads ``items.name``)."""
    from tact.templates import parse_template

    template = parse_template(source)
    aliases, iterables = _loop_aliases(template.nodes)
    for name, uses in template.analyze().variables.items():
        for use in uses:
            if use.span.index in iterables and iterables[use.span.index] == name:
                continue  # the list a loop walks: read through its loop variable
            segments = [str(s) for s in use.segments]
            root = segments[0]
            while root in aliases:  # nested loops: item.tags -> cart.items.tags
                segments = [*aliases[root], *segments[1:]]
                root = segments[0]
            path = _data_path(root, segments[1:], noun)
            if path is not None:
                yield _liquid_path(path), use.span.index, ".".join(str(s) for s in use.segments)


_LIQUID_LIST_PROPERTIES = frozenset({"first", "last", "size"})


def _liquid_path(path: tuple[str, ...]) -> tuple[str, ...]:
    """``items.first.name`` reads each item's ``name``; ``items.size`` the whole list."""
    kept: list[str] = []
    for segment in path:
        if segment == "size":
            return tuple(kept)
        if segment in _LIQUID_LIST_PROPERTIES or segment.lstrip("-").isdigit():
            continue
        kept.append(segment)
    return tuple(kept)


def _loop_aliases(nodes: Any) -> tuple[dict[str, list[str]], dict[int, str]]:
    """Loop variable -> the path it walks; and where each loop's list is written."""
    aliases: dict[str, list[str]] = {}
    iterables: dict[int, str] = {}
    stack = list(nodes)
    while stack:
        node = stack.pop()
        expression = getattr(node, "expression", None)
        iterable = getattr(expression, "iterable", None)
        segments = getattr(iterable, "path", None)
        if type(node).__name__ == "ForNode" and isinstance(segments, list) and segments and all(
                isinstance(s, str | int) for s in segments):
            aliases[str(expression.identifier)] = [str(s) for s in segments]  # type: ignore[union-attr]
            iterables[int(iterable.token.start_index)] = str(segments[0])  # type: ignore[union-attr]
        stack.extend(node.children(None, include_partials=False))
    return aliases, iterables


def trigger_reads(journey: Journey,
                  templates: dict[str, MessageTemplate]) -> list[TriggerRead]:
    """Every read of the trigger's data by the parts of a journey that run after entry."""
    noun = EVENT_NOUNS.get(journey.trigger.event)
    reads: list[TriggerRead] = []

    def add(loc: tuple[Any, ...], text: str, entry_only: bool) -> None:
        reads.extend(TriggerRead(path, loc, offset, text, written)
                     for path, offset, written in expression_reads(text, noun, entry_only))

    from tact.journey.guardrails import step_paths

    for index, rule in enumerate(journey.exit_on):
        if rule.when:
            add(("exit_on", index, "when"), rule.when, True)
    for loc, step in step_paths(journey.steps):
        if isinstance(step, SplitStep):
            for b, branch in enumerate(step.split):
                if isinstance(branch, Branch):
                    add((*loc, "split", b, "if"), branch.if_, False)
        elif isinstance(step, WaitStep) and step.wait.until and not step.wait.until_time_of_day():
            add((*loc, "wait", "until"), step.wait.until, False)
        elif isinstance(step, GoalStep) and step.goal.when:
            add((*loc, "goal", "when"), step.goal.when, True)
        elif getattr(step, "wait_for", None) is not None and step.wait_for.when:
            add((*loc, "wait_for", "when"), step.wait_for.when, True)
    for name in sorted({s.send.template for s in iter_steps(journey.steps)
                        if isinstance(s, SendStep)}):
        template = templates.get(name)
        for channel in template.channels() if template else []:
            for field_name, source in template.fields(channel).items():  # type: ignore[union-attr]
                reads.extend(TriggerRead(path, (channel, field_name), offset, source, written,
                                         name)
                             for path, offset, written in template_reads(source, noun))
    return reads


def input_fields(journey: Journey, templates: dict[str, MessageTemplate]) -> list[list[str]]:
    """The trigger data paths an execution of ``journey`` carries (ids included), minimal:
    a path is left out when a shorter one already carries all of it."""
    paths = {read.path for read in trigger_reads(journey, templates)}
    paths.update((name,) for name in ID_FIELDS)
    kept = [p for p in sorted(paths) if not any(p[:len(q)] == q and p != q for q in paths)]
    return [list(p) for p in kept]


_ENTRY_ONLY_TRIGGER = ("customer", "freshness")


def check_input_reads(journey: Journey, doc: Any, templates: dict[str, MessageTemplate],
                      template_docs: dict[str, Any], out: list[Any]) -> None:
    """`tact validate`: reads of the trigger that an execution cannot carry, at file:line:col.

    An address read from the trigger's data (``signup.email``) is never carried: the message
    goes to the address on the customer's profile, which templates read as ``customer.email``.
    ``entry`` holds the trigger event only; the customer is ``customer`` (as they are now).
    """
    from tact.diagnostics import Diagnostic
    from tact.expressions import paths_read

    found: list[Any] = []
    for read in trigger_reads(journey, templates):
        address = next((s for s in read.path if s in ADDRESS_FIELDS), None)
        if address is None:
            continue
        source = template_docs.get(read.template) if read.template else doc
        if source is None:
            continue
        line, col = source.locate_in_value(read.loc, read.offset, read.text)
        where = f" (template {read.template!r}, used by journey {journey.id!r})" \
            if read.template else ""
        found.append(Diagnostic(str(source.path), line, col,
                                f"{read.written} is an address{where}: addresses never travel "
                                "with a journey's execution (they would sit in its history)",
                                f"use customer.{address}: the send reads it from the profile"))
    for loc, text in _entry_conditions(journey):
        for root, segments, offset in paths_read(text):
            if root == "entry" and segments and segments[0] in _ENTRY_ONLY_TRIGGER:
                line, col = doc.locate_in_value(loc, offset, text)
                found.append(Diagnostic(str(doc.path), line, col,
                                        f"entry.{segments[0]} is not kept: `entry` is the "
                                        "trigger event only",
                                        f"use {'.'.join(segments)} (the customer as they are now)"))
    out.extend(d for d in found if d not in out)


def _entry_conditions(journey: Journey) -> Iterator[tuple[tuple[Any, ...], str]]:
    from tact.journey.guardrails import step_paths

    for index, rule in enumerate(journey.exit_on):
        if rule.when:
            yield ("exit_on", index, "when"), rule.when
    for loc, step in step_paths(journey.steps):
        if isinstance(step, GoalStep) and step.goal.when:
            yield (*loc, "goal", "when"), step.goal.when
        elif getattr(step, "wait_for", None) is not None and step.wait_for.when:
            yield (*loc, "wait_for", "when"), step.wait_for.when
