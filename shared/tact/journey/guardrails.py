"""Guardrails: what `tact validate` refuses (errors) or questions (warnings) beyond the schema.

They encode the product's research on tactful messaging: no retargeting after a purchase,
no sensitive attributes, no first name in subject lines, no copy that reveals tracking,
enough time between marketing messages, and no references to things that do not exist.
Every finding names file:line:col and says what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tact.diagnostics import Diagnostic
from tact.expressions import EVENT_NOUNS, TEMPLATE_ONLY_ROOTS, paths_read
from tact.journey.durations import format_duration
from tact.journey.model import (
    AbSplitStep,
    Branch,
    ExitStep,
    GoalStep,
    Journey,
    SendStep,
    SplitStep,
    UpdateStep,
    WaitStep,
)
from tact.journey.names import _suggest, path_problems
from tact.journey.yamlsource import YamlDocument

CART_EVENTS = frozenset({"cart_updated", "checkout_started"})
# Triggers whose messages are promotions, whatever a journey calls them: "transactional"
# there would skip consent, caps and quiet hours, so it needs a written, reviewed reason.
PROMOTIONAL_TRIGGERS = frozenset({"cart_updated", "cart_emptied", "checkout_started",
                                  "lifecycle_changed", "signup", "account_created"})
TRANSACTIONAL_WAIVER = re.compile(r"#\s*tact:\s*allow-transactional\s+(\S.{9,})")
PURCHASE = "purchase_completed"

# Never target or personalize on these (matched against every path segment a condition or a
# template reads, and every attribute an update sets).
SENSITIVE = {
    "age": "age", "birth_date": "birth date", "birthdate": "birth date", "birthday": "birth date",
    "date_of_birth": "birth date", "dob": "birth date", "gender": "gender", "sex": "gender",
    "ethnicity": "ethnicity", "race": "ethnicity", "religion": "religion",
    "latitude": "precise location", "longitude": "precise location", "lat": "precise location",
    "lng": "precise location", "lon": "precise location", "coordinates": "precise location",
    "geo": "precise location", "geolocation": "precise location", "location": "precise location",
    "gps": "precise location", "health": "health", "medical": "health",
    "diagnosis": "health", "pregnancy": "health", "pregnant": "health",
}
WAIVER = re.compile(r"#\s*tact:\s*allow-sensitive\s+([a-z_]+)\s*[:\-\u2014]+\s*(\S.{9,})")
TRACKING = re.compile(
    r"\b(you (?:recently )?(?:viewed|looked at|browsed|were (?:looking|browsing))|"
    r"we (?:noticed|saw|see) (?:that )?you|you checked out \w+ (?:\w+ )?times)", re.IGNORECASE)
FIRST_NAME = frozenset({"first_name", "firstname", "given_name"})
# Model scores decide who gets what; shown to a customer they read as surveillance.
SCORES = frozenset({"purchase_propensity_30d", "churn_risk", "score"})
OUTPUTS = re.compile(r"\{\{.*?\}\}|\becho\b[^\n%]*", re.DOTALL)
SMS_OPENING = 30  # characters


@dataclass
class _Ctx:
    journey: Journey
    doc: YamlDocument
    out: list[Diagnostic]
    custom_attributes: set[str]
    event_fields: Mapping[str, Mapping[str, str]] | None = None

    def error(self, loc: tuple[Any, ...], message: str, hint: str) -> None:
        self.out.append(self.doc.error(loc, message, hint))

    def warn(self, loc: tuple[Any, ...], message: str, hint: str) -> None:
        d = self.doc.error(loc, message, hint)
        self.out.append(Diagnostic(d.file, d.line, d.col, message, hint, "warning"))




def step_paths(steps: list[Any], prefix: tuple[Any, ...] = ("steps",)) -> Iterator[
        tuple[tuple[Any, ...], Any]]:
    """Every step with its location in the file, depth first."""
    for index, step in enumerate(steps):
        path = (*prefix, index)
        yield path, step
        if isinstance(step, SplitStep):
            for b, branch in enumerate(step.split):
                if isinstance(branch, Branch):
                    yield from step_paths(branch.steps, (*path, "split", b, "steps"))
                else:
                    yield from step_paths(branch.else_, (*path, "split", b, "else"))
        elif isinstance(step, AbSplitStep):
            for v, variant in enumerate(step.ab_split):
                yield from step_paths(variant.steps, (*path, "ab_split", v, "steps"))
        for key, sub in _wait_for_branches(step):
            yield from step_paths(sub, (*path, "wait_for", key))


def _wait_for_branches(step: Any) -> list[tuple[str, list[Any]]]:
    """A `wait_for` step's two outcomes (event came / timed out), by duck typing."""
    spec = getattr(step, "wait_for", None)
    if spec is None:
        return []
    return [("on_event", list(spec.on_event)), ("on_timeout", list(spec.on_timeout))]


def check_journey(journey: Journey, doc: YamlDocument, out: list[Diagnostic],
                  min_spacing: int, custom_attributes: set[str],
                  event_fields: Mapping[str, Mapping[str, str]] | None = None) -> None:
    ctx = _Ctx(journey, doc, out, custom_attributes, event_fields)
    _retargeting(ctx)
    _transactional(ctx)
    _expressions(ctx)
    _updates(ctx)
    _unreachable(ctx, journey.steps, ("steps",))
    if journey.purpose == "marketing":
        _spacing(ctx, min_spacing)


def _retargeting(ctx: _Ctx) -> None:
    j = ctx.journey
    if j.trigger.event in CART_EVENTS and not any(r.event == PURCHASE for r in j.exit_on):
        ctx.error(("trigger", "event"),
                  f"a journey triggered by {j.trigger.event} must exit on {PURCHASE}: "
                  "reminding people of what they already bought is the top complaint",
                  f"add `exit_on: [{PURCHASE}]` (optionally with a condition on the same cart)")


def _transactional(ctx: _Ctx) -> None:
    j = ctx.journey
    if j.purpose != "transactional" or j.trigger.event not in PROMOTIONAL_TRIGGERS:
        return
    line, _ = ctx.doc.locate(("purpose",))
    lines = ctx.doc.lines()
    if 0 < line <= len(lines) and TRANSACTIONAL_WAIVER.search(lines[line - 1]):
        return
    ctx.error(("purpose",),
              f"purpose: transactional on a journey triggered by {j.trigger.event}: its "
              "messages are promotions, and transactional would send them without marketing "
              "consent, frequency caps or quiet hours",
              "use `purpose: marketing`; if this really is a service message the customer "
              "asked for, say why on the same line: "
              "`purpose: transactional  # tact: allow-transactional <reason, who approved>`")


def _waived(doc: YamlDocument, line: int, attribute: str) -> bool:
    """An explicit, commented waiver on the line or the line above names the attribute."""
    lines = doc.lines()
    for number in (line, line - 1):
        if 0 < number <= len(lines):
            found = WAIVER.search(lines[number - 1])
            if found and found.group(1) == attribute:
                return True
    return False


def sensitive_name(segments: list[str]) -> tuple[str, str] | None:
    for segment in segments:
        if segment.lower() in SENSITIVE:
            return segment, SENSITIVE[segment.lower()]
    return None


def _sensitive(doc: YamlDocument, loc: tuple[Any, ...], line: int, segments: list[str],
               out: list[Diagnostic]) -> bool:
    found = sensitive_name(segments)
    if found is None or _waived(doc, line, found[0]):
        return False
    name, kind = found
    out.append(doc.error(loc, f"{'.'.join(segments)} is {kind} data: never target or "
                         f"personalize on {kind}",
                         f"remove it; only with a documented legal basis add a comment "
                         f"`# tact: allow-sensitive {name} - <why, who approved>` on this line"))
    return True


def check_declared_names(settings: Any, doc: YamlDocument, out: list[Diagnostic]) -> None:
    """A shop may not declare sensitive data as an attribute or event field to target on
    (only with the same commented waiver as in a journey)."""
    declared: list[tuple[tuple[Any, ...], str]] = [
        (("customer_attributes", name), name) for name in settings.customer_attributes]
    declared += [(("event_fields", event_type, name), name)
                 for event_type, fields in settings.event_fields.items() for name in fields]
    for loc, name in declared:
        _sensitive(doc, loc, doc.locate(loc)[0], name.split("."), out)


def _roots(event_type: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Names an expression may start with -> the event type whose data they hold ('' = other)."""
    roots = {"customer": "", "freshness": "", "event": event_type}
    noun = EVENT_NOUNS.get(event_type)
    if noun:
        roots[noun] = event_type
    roots.update(extra or {})
    return roots


def _expressions(ctx: _Ctx) -> None:
    from tact.journey.sites import expression_sites

    trigger_roots = _roots(ctx.journey.trigger.event)
    for site in expression_sites(ctx.journey):
        roots = ({**trigger_roots, "entry": "", **_roots(site.event)} if site.with_entry
                 else trigger_roots)
        for root, segments, offset in paths_read(site.text):
            where = ctx.doc.locate_in_value(site.loc, offset, site.text)
            _check_path(ctx, site.loc, where, root, segments, roots)


def _at(doc: YamlDocument, where: tuple[int, int], message: str, hint: str,
        severity: str = "error") -> Diagnostic:
    return Diagnostic(str(doc.path), where[0], where[1], message, hint, severity)  # type: ignore[arg-type]


def _check_path(ctx: _Ctx, loc: tuple[Any, ...], where: tuple[int, int], root: str,
                segments: list[str], roots: dict[str, str]) -> None:
    doc = ctx.doc
    found = sensitive_name([root, *segments])
    if found and _waived(doc, where[0], found[0]):
        return  # explicitly waived: the author vouches for the attribute and its use
    if found:
        name, kind = found
        ctx.out.append(_at(doc, where, f"{'.'.join([root, *segments])} is {kind} data: never "
                           f"target or personalize on {kind}",
                           f"remove it; only with a documented legal basis add a comment "
                           f"`# tact: allow-sensitive {name} - <why, who approved>` above"))
        return
    for problem in path_problems(root, segments, roots, ctx.custom_attributes,
                                 ctx.event_fields):
        message, hint, severity = problem
        ctx.out.append(_at(doc, where, message, hint, severity))


def _updates(ctx: _Ctx) -> None:
    for path, step in step_paths(ctx.journey.steps):
        if isinstance(step, UpdateStep):
            for name in step.update.set:
                loc = (*path, "update", "set", name)
                line = ctx.doc.locate(loc)[0]
                _sensitive(ctx.doc, loc, line, [name], ctx.out)


def ends(steps: list[Any]) -> bool:
    """Does every path through these steps end the journey (exit) before falling through?"""
    return any(_ends_here(step) for step in steps)


def _ends_here(step: Any) -> bool:
    """Does every path through this one step end the journey?"""
    if isinstance(step, ExitStep):
        return True
    has_else = isinstance(step, SplitStep) and any(
        not isinstance(b, Branch) for b in step.split)
    if has_else and all(ends(b.steps if isinstance(b, Branch) else b.else_)
                        for b in step.split):
        return True
    if isinstance(step, AbSplitStep) and all(ends(v.steps) for v in step.ab_split):
        return True
    outcomes = _wait_for_branches(step)
    return bool(outcomes) and all(ends(sub) for _, sub in outcomes)


def _unreachable(ctx: _Ctx, steps: list[Any], prefix: tuple[Any, ...]) -> None:
    ended = False  # does every path through the steps before this one end? (linear, not
    for index, step in enumerate(steps):  # a re-check of all earlier steps per step)
        if ended and not isinstance(step, GoalStep):
            ctx.error((*prefix, index), f"step {index + 1} is unreachable: every path before "
                      "it ends with an exit", "remove it, or move the exit after it")
            return
        ended = ended or _ends_here(step)
        if isinstance(step, SplitStep):
            for b, branch in enumerate(step.split):
                if isinstance(branch, Branch):
                    _unreachable(ctx, branch.steps, (*prefix, index, "split", b, "steps"))
                else:
                    _unreachable(ctx, branch.else_, (*prefix, index, "split", b, "else"))
        elif isinstance(step, AbSplitStep):
            for v, variant in enumerate(step.ab_split):
                _unreachable(ctx, variant.steps, (*prefix, index, "ab_split", v, "steps"))
        for key, sub in _wait_for_branches(step):
            _unreachable(ctx, sub, (*prefix, index, "wait_for", key))


def _spacing(ctx: _Ctx, minimum: int) -> None:
    """On every path, consecutive sends must be at least ``minimum`` seconds apart.

    Waits ``until`` a time or date count as zero: they may be due almost at once.
    """
    reported: set[str] = set()

    def walk(steps: list[Any], prefix: tuple[Any, ...],
             last: tuple[str, int] | None) -> tuple[str, int] | None:
        # ``last``: the previous send's id and the least time elapsed since it
        for index, step in enumerate(steps):
            path = (*prefix, index)
            if isinstance(step, WaitStep) and last is not None:
                last = (last[0], last[1] + (step.wait.duration or 0))
            elif isinstance(step, SendStep):
                if last is not None and last[1] < minimum and step.send.id not in reported:
                    reported.add(step.send.id)
                    ctx.error((*path, "send"),
                              f"marketing sends {last[0]!r} and {step.send.id!r} can be only "
                              f"{format_duration(last[1])} apart on some path; the minimum is "
                              f"{format_duration(minimum)}",
                              "wait longer between them, or change min_marketing_spacing "
                              "in settings.yaml")
                last = (step.send.id, 0)
            elif isinstance(step, SplitStep | AbSplitStep):
                outcomes = []
                if isinstance(step, SplitStep):
                    for b, branch in enumerate(step.split):
                        sub = branch.steps if isinstance(branch, Branch) else branch.else_
                        key = "steps" if isinstance(branch, Branch) else "else"
                        outcomes.append(walk(sub, (*path, "split", b, key), last))
                    if all(isinstance(b, Branch) for b in step.split):
                        outcomes.append(last)  # no branch matched
                else:
                    for v, variant in enumerate(step.ab_split):
                        outcomes.append(walk(variant.steps, (*path, "ab_split", v, "steps"), last))
                known = [o for o in outcomes if o is not None]
                last = min(known, key=lambda o: o[1]) if known else None
            elif _wait_for_branches(step):
                # The event may come at once; the timeout branch has waited the full timeout.
                timeout = int(getattr(step.wait_for, "timeout", 0) or 0)
                outcomes = []
                for key, sub in _wait_for_branches(step):
                    start = last if key == "on_event" or last is None else (
                        last[0], last[1] + timeout)
                    outcomes.append(walk(sub, (*path, "wait_for", key), start))
                known = [o for o in outcomes if o is not None]
                last = min(known, key=lambda o: o[1]) if known else None
            elif isinstance(step, ExitStep):
                return last
        return last

    walk(ctx.journey.steps, ("steps",), None)


def check_template_text(name: str, doc: YamlDocument, loc: tuple[Any, ...], text: str,
                        channel: str, field_name: str, out: list[Diagnostic]) -> None:
    """Checks of one template field on its own: filters, tracking language, first name."""
    from tact.templates import analyze, known_filters

    variables, filters = analyze(text)
    known = known_filters()
    for name, offset in filters:  # checked here too, so unused templates are checked as well
        if name not in known:
            out.append(_at(doc, doc.locate_in_value(loc, offset, text),
                           f"unknown Liquid filter {name!r}", _suggest(name, known)))
    for match in TRACKING.finditer(text):
        out.append(_at(doc, doc.locate_in_value(loc, match.start(), text),
                       f"{match.group(0)!r} reveals tracking (oversharing)",
                       "say what is useful instead, e.g. 'Items you saved are still available'",
                       "warning"))
    _rendered_scores(doc, loc, text, out)
    for segments, offset in variables:
        if not FIRST_NAME.intersection(segments):
            continue
        subject = (channel == "email" and field_name == "subject") or (
            channel == "push" and field_name == "title")
        if subject or (channel == "sms" and offset < SMS_OPENING):
            place = "a subject line" if subject else "an SMS opening"
            out.append(_at(doc, doc.locate_in_value(loc, offset, text),
                           f"first name in {place}: most recipients dislike it",
                           "personalize by what is relevant (category, timing) instead",
                           "warning"))


def check_template_names(template: str, journey: Journey, doc: YamlDocument,
                         loc: tuple[Any, ...], text: str, out: list[Diagnostic],
                         custom: set[str],
                         event_fields: Mapping[str, Mapping[str, str]] | None = None) -> None:
    """Every variable a template reads must exist for customers of ``journey``."""
    from tact.templates import analyze

    roots = _roots(journey.trigger.event, dict.fromkeys(TEMPLATE_ONLY_ROOTS, ""))
    variables, _ = analyze(text)
    seen: set[tuple[str, ...]] = set()
    for segments, offset in variables:
        if tuple(segments) in seen:
            continue
        seen.add(tuple(segments))
        where = doc.locate_in_value(loc, offset, text)
        found = sensitive_name(segments)
        if found and _waived(doc, where[0], found[0]):
            continue
        if found:
            out.append(_at(doc, where, f"{'.'.join(segments)} is {found[1]} data: never "
                           f"personalize on {found[1]}",
                           f"remove it; only with a documented legal basis add "
                           f"`# tact: allow-sensitive {found[0]} - <why>` above"))
            continue
        if segments[0] == "links" and len(segments) > 1 and segments[1] not in (
                "unsubscribe", "preferences"):
            out.append(_at(doc, where, f"unknown link {segments[1]!r}",
                           _suggest(segments[1], ["unsubscribe", "preferences"])))
            continue
        for message, hint, severity in path_problems(segments[0], segments[1:], roots, custom,
                                                     event_fields):
            message = f"{message} (template {template!r}, used by journey {journey.id!r})"
            out.append(_at(doc, where, message, hint, severity))


def _rendered_scores(doc: YamlDocument, loc: tuple[Any, ...], text: str,
                     out: list[Diagnostic]) -> None:
    """A score printed into a message (``{{ customer.churn_risk }}``, ``{{ p.score }}``)."""
    from tact.templates import all_variables

    shown = [m.span() for m in OUTPUTS.finditer(text)]
    for segments, offset in all_variables(text):
        score = next((s for s in segments if s in SCORES), None)
        if score and any(start <= offset < end for start, end in shown):
            out.append(_at(doc, doc.locate_in_value(loc, offset, text),
                           f"{'.'.join(segments)} renders a model score to the customer: "
                           "scores are for deciding, never for showing",
                           f"use {score} in a condition ({{% if %}} or a journey split) and "
                           "show the product or offer itself", "warning"))
