"""Load and check ``journeys/broadcasts/*.yaml`` and ``journeys/segments/*.yaml``.

The same standards as journeys: every problem names file:line:col and says what to do; the
guardrails (sensitive attributes, names that exist, templates that render for every customer)
apply; and a broadcast's local time may not fall inside quiet hours, where no marketing
message may go out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from tact.broadcast.model import Broadcast, Segment
from tact.broadcast.segment import ROOTS
from tact.diagnostics import Diagnostic, ProjectError
from tact.expressions import TEMPLATE_ONLY_ROOTS, paths_read
from tact.journey.guardrails import path_problems, sensitive_name
from tact.journey.yamlsource import YamlDocument, load_yaml
from tact.sending.quiet_hours import _inside

if TYPE_CHECKING:
    from tact.journey.project import Project

BROADCASTS_DIR = "broadcasts"
SEGMENTS_DIR = "segments"


def load_broadcasts(project: Project, custom: set[str]) -> None:
    """Fill ``project.segments`` and ``project.broadcasts``; problems go to its diagnostics."""
    from tact.journey.project import explain_validation

    for path in sorted((project.root / SEGMENTS_DIR).glob("*.yaml")):
        doc, segment = _load(path, Segment, project.diagnostics, explain_validation)
        if segment is None or doc is None:
            continue
        if segment.id != path.stem:
            project.diagnostics.append(doc.error(("id",), f"segment id {segment.id!r} differs "
                                                 f"from its file name {path.name!r}",
                                                 f"broadcasts refer to segments by file name: "
                                                 f"rename the file to {segment.id}.yaml"))
            continue
        project.segments[segment.id] = segment
        project.segment_sources[segment.id] = doc
        _check_condition(doc, ("when",), segment.when, custom, project.diagnostics)
    for path in sorted((project.root / BROADCASTS_DIR).glob("*.yaml")):
        doc, broadcast = _load(path, Broadcast, project.diagnostics, explain_validation)
        if broadcast is None or doc is None:
            continue
        if broadcast.id in project.journeys or broadcast.id in project.broadcasts:
            project.diagnostics.append(doc.error(
                ("id",), f"id {broadcast.id!r} is already used by a "
                f"{'journey' if broadcast.id in project.journeys else 'broadcast'}",
                "journeys and broadcasts share one namespace: give this file its own id"))
            continue
        project.broadcasts[broadcast.id] = broadcast
        project.broadcast_sources[broadcast.id] = doc
        check_broadcast(project, broadcast, doc, custom)


def _load(path: Any, model: Any, out: list[Diagnostic], explain: Any) -> tuple[Any, Any]:
    try:
        doc = load_yaml(path)
    except ProjectError as err:
        out.extend(err.diagnostics)
        return None, None
    try:
        return doc, model.model_validate(doc.data or {})
    except ValidationError as err:
        out.extend(explain(doc, err, model))
        return doc, None


def check_broadcast(project: Project, broadcast: Broadcast, doc: YamlDocument,
                    custom: set[str]) -> None:
    out = project.diagnostics
    ref = broadcast.segment_ref()
    if ref is None:
        _check_condition(doc, ("segment",), broadcast.segment, custom, out)
    elif ref not in project.segments and not (
            project.root / SEGMENTS_DIR / f"{ref}.yaml").is_file():
        from tact.journey.project import _suggest

        known = sorted(project.segments)
        out.append(doc.error(("segment",), f"segment {ref!r} not found in {SEGMENTS_DIR}/",
                             _suggest(ref, known) if known else
                             f"create {SEGMENTS_DIR}/{ref}.yaml, or write a condition such as "
                             "\"customer.lifecycle_stage = 'active'\""))
    if broadcast.when is not None:
        _check_condition(doc, ("when",), broadcast.when, custom, out)
    _check_time(project, broadcast, doc)
    if broadcast.purpose == "transactional":
        line, col = doc.locate(("purpose",))
        out.append(Diagnostic(str(doc.path), line, col,
                              "a transactional broadcast skips marketing consent and quiet "
                              "hours", "only for service notices every customer must get; "
                              "anything promotional is marketing", "warning"))
    _check_template(project, broadcast, doc, custom)


def _check_time(project: Project, broadcast: Broadcast, doc: YamlDocument) -> None:
    local, quiet = broadcast.local(), project.settings.quiet_hours
    if local is None or quiet is None or broadcast.purpose != "marketing":
        return
    if _inside(local.clock_time(), quiet):
        project.diagnostics.append(doc.error(
            ("at", "local_time"), f"{local.local_time} is inside quiet hours "
            f"({quiet.start:%H:%M}-{quiet.end:%H:%M} in settings.yaml): no marketing message "
            "goes out then", f"pick a time from {quiet.end:%H:%M} to before {quiet.start:%H:%M}"))


def _check_condition(doc: YamlDocument, loc: tuple[Any, ...], text: str, custom: set[str],
                     out: list[Diagnostic]) -> None:
    for root, segments, offset in paths_read(text):
        where = doc.locate_in_value(loc, offset, text)
        found = sensitive_name([root, *segments])
        if found:
            kind = found[1]
            out.append(Diagnostic(str(doc.path), where[0], where[1],
                                  f"{'.'.join([root, *segments])} is {kind} data: never target "
                                  f"on {kind}", "remove it from the segment"))
            continue
        for message, hint, severity in path_problems(root, segments, ROOTS, custom):
            out.append(Diagnostic(str(doc.path), where[0], where[1], message, hint,
                                  severity))  # type: ignore[arg-type]


def _check_template(project: Project, broadcast: Broadcast, doc: YamlDocument,
                    custom: set[str]) -> None:
    from tact.journey.project import TEMPLATES_DIR, _suggest
    from tact.templates import analyze

    name = broadcast.send.template
    template = project.templates.get(name)
    if template is None:
        if not (project.root / TEMPLATES_DIR / f"{name}.yaml").is_file():
            names = sorted(project.templates)
            project.diagnostics.append(doc.error(
                ("send", "template"), f"template {name!r} not found in {TEMPLATES_DIR}/",
                _suggest(name, names) if names else f"create {TEMPLATES_DIR}/{name}.yaml"))
        return
    tdoc = project.template_sources[name]
    roots = {**ROOTS, **dict.fromkeys(TEMPLATE_ONLY_ROOTS, "")}
    for channel in template.channels():
        for field_name, source in template.fields(channel).items():
            variables, _ = analyze(source)
            for segments, offset in variables:
                where = tdoc.locate_in_value((channel, field_name), offset, source)
                found = sensitive_name(segments)
                if found:
                    project.diagnostics.append(Diagnostic(
                        str(tdoc.path), where[0], where[1], f"{'.'.join(segments)} is "
                        f"{found[1]} data: never personalize on {found[1]}", "remove it"))
                    continue
                if segments[0] == "links" and len(segments) > 1 and segments[1] not in (
                        "unsubscribe", "preferences"):
                    project.diagnostics.append(Diagnostic(
                        str(tdoc.path), where[0], where[1], f"unknown link {segments[1]!r}",
                        _suggest(segments[1], ["unsubscribe", "preferences"])))
                    continue
                for message, hint, severity in path_problems(segments[0], segments[1:], roots,
                                                             custom):
                    project.diagnostics.append(Diagnostic(
                        str(tdoc.path), where[0], where[1],
                        f"{message} (template {name!r}, used by broadcast {broadcast.id!r}: "
                        "a broadcast has no event, only the customer)", hint,
                        severity))  # type: ignore[arg-type]
