"""Load a journeys directory: every journey, the settings and the templates, with diagnostics."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from tact.broadcast.model import Broadcast, Segment
from tact.diagnostics import Diagnostic, ProjectError
from tact.journey.dialect import check_dialect
from tact.journey.guardrails import (
    check_declared_names,
    check_journey,
    check_template_names,
    check_template_text,
    step_paths,
)
from tact.journey.model import Journey, SendStep, UpdateStep, iter_steps
from tact.journey.overlaps import overlap_warnings
from tact.journey.references import check_input_reads
from tact.journey.settings import Settings
from tact.journey.trial import try_expressions
from tact.journey.yamlsource import YamlDocument, load_yaml
from tact.templates import (
    PLACEHOLDER,
    MessageTemplate,
    TemplateError,
    check_syntax,
    locale_problems,
    template_fields,
)

SETTINGS_FILE = "settings.yaml"
TEMPLATES_DIR = "templates"


@dataclass
class Project:
    root: Path
    settings: Settings
    journeys: dict[str, Journey] = field(default_factory=dict)
    templates: dict[str, MessageTemplate] = field(default_factory=dict)
    sources: dict[str, YamlDocument] = field(default_factory=dict)  # journey id -> its document
    template_sources: dict[str, YamlDocument] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Broadcasts (journeys/broadcasts/) and the reusable segments they name (journeys/segments/)
    broadcasts: dict[str, Broadcast] = field(default_factory=dict)
    segments: dict[str, Segment] = field(default_factory=dict)
    broadcast_sources: dict[str, YamlDocument] = field(default_factory=dict)
    segment_sources: dict[str, YamlDocument] = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


def _model_fields(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else f"expected one of: {', '.join(options)}"


def _allowed_here(doc: YamlDocument, loc: tuple[Any, ...], root: type[BaseModel]) -> list[str]:
    """Field names allowed beside an unexpected key, found by walking the models along loc."""
    from tact import templates as t
    from tact.journey import model as m

    guesses: dict[str, type[BaseModel]] = {
        "send": m.SendSpec, "wait": m.WaitSpec, "trigger": m.Trigger, "exit_on": m.ExitRule,
        "update": m.UpdateSpec, "goal": m.GoalSpec, "exit": m.ExitSpec,
    }
    tail = loc[:-1]
    if len(tail) >= 2 and tail[-2] == "ab_split" and isinstance(tail[-1], int):
        return _model_fields(m.Variant)
    by_tag: dict[str, type[BaseModel]] = {"if": m.Branch, "ab_split": m.AbSplitStep,
                                          "split": m.SplitStep}
    if tail and tail[-1] in by_tag and root is m.Journey:
        return _model_fields(by_tag[str(tail[-1])])
    if root is t.MessageTemplate:
        guesses = {"email": t.EmailPart, "sms": t.SmsPart, "push": t.PushPart,
                   "webhook": t.WebhookPart}
    for part in reversed(loc[:-1]):
        if isinstance(part, str) and part in guesses:
            return _model_fields(guesses[part])
    if len(loc) == 1:
        return _model_fields(root)
    parent = loc[-2] if len(loc) >= 2 else None
    if isinstance(parent, int) and loc[0] == "steps":
        return list(m.STEP_KINDS)
    return []


def explain_validation(
    doc: YamlDocument, err: ValidationError, root: type[BaseModel]
) -> list[Diagnostic]:
    out = []
    for item in err.errors():
        loc = tuple(item["loc"])
        kind = item["type"]
        msg = item["msg"].removeprefix("Value error, ")
        hint = ""
        if kind == "extra_forbidden":
            name = str(loc[-1])
            allowed = _allowed_here(doc, loc, root)
            msg = f"unknown field {name!r}"
            hint = _suggest(name, allowed) if allowed else "remove it"
        elif kind == "missing":
            msg = f"missing required field {loc[-1]!r}"
            hint = "add it here"
            if loc[-1] == "id" and "ab_split" in loc[-2:]:
                hint = ("an ab_split step names its test beside the variants: "
                        "`- id: subject_test` then `  ab_split: [...]` (see "
                        "journeys/examples/checkout_reminder.yaml)")
        elif kind == "list_type":
            field = next((p for p in reversed(loc) if isinstance(p, str)), "")
            hint = LIST_EXAMPLES.get(field, "write a list: one `- item` per line")
        elif kind == "unknown_step":
            given = next(iter(item["input"]), "?") if isinstance(item["input"], dict) else "?"
            from tact.journey.model import STEP_KINDS

            msg = f"unknown step kind {given!r}"
            hint = _suggest(str(given), list(STEP_KINDS))
        elif kind == "literal_error" and isinstance(item.get("input"), str):
            expected = re.findall(r"'([^']*)'", str(item.get("ctx", {}).get("expected", "")))
            msg = f"{msg}, not {item['input']!r}"
            hint = _suggest(item["input"], expected) if expected else ""
        elif "unknown event type" in msg:
            from tact.models.events import EVENT_TYPES

            hint = _suggest(str(item["input"]), list(EVENT_TYPES))
        out.append(doc.error(_refine(doc, loc, msg), msg, hint))
    return out


# What a list field holds, for "Input should be a valid list".
LIST_EXAMPLES = {
    "ab_split": "a list of variants, each with a name, a weight and steps: `ab_split: [{name: a, "
                "weight: 50, steps: [...]}, {name: b, weight: 50, steps: [...]}]` (see "
                "journeys/examples/checkout_reminder.yaml)",
    "split": "a list of branches: `split: [{if: \"cart.value > 100\", steps: [...]}, "
             "{else: [...]}]`",
    "steps": "a list of steps, one `- wait: 2h` or `- send: {...}` per line",
    "else": "a list of steps, one `- wait: 2h` or `- send: {...}` per line",
    "on_event": "a list of steps, one `- send: {...}` per line",
    "on_timeout": "a list of steps, one `- send: {...}` per line",
    "exit_on": "a list of events: `exit_on: [purchase_completed, cart_emptied]`",
    "fallback": "a list of channels: `fallback: [email, sms]`",
}


def _refine(doc: YamlDocument, loc: tuple[Any, ...], msg: str) -> tuple[Any, ...]:
    """Point a whole-object error (pydantic reports the object) at the part it is about."""
    node: Any = doc.data
    for part in loc:
        in_map = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        node = node[part] if in_map or in_list else node
    duplicate = re.match(r"step id '([^']+)' is used twice", msg)
    if duplicate:
        found = [path for path in _paths_with_id(doc.data, ()) if path[1] == duplicate.group(1)]
        return found[1][0] if len(found) > 1 else loc
    if isinstance(node, list):  # e.g. `else` not last: the first item holding the named key
        for index, value in enumerate(node):
            if isinstance(value, dict) and any(f"`{key}`" in msg for key in value):
                return (*loc, index)
    if isinstance(node, dict):  # e.g. "reentry_interval only applies ...": that key
        for key in node:
            if re.search(rf"(^|[\s`']){re.escape(key)}($|[\s`'])", msg):
                return (*loc, key)
    return loc


def _paths_with_id(node: Any, path: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], Any]]:
    found: list[tuple[tuple[Any, ...], Any]] = []
    if isinstance(node, dict):
        if "id" in node and path and path[-1] != "id" and path != ():
            found.append(((*path, "id"), node["id"]))
        for key, value in node.items():
            found += _paths_with_id(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths_with_id(value, (*path, index))
    return found


def _load_settings(root: Path, diagnostics: list[Diagnostic]) -> Settings:
    path = root / SETTINGS_FILE
    if not path.exists():
        return Settings()
    try:
        doc = load_yaml(path)
        settings = Settings.model_validate(doc.data or {})
        check_declared_names(settings, doc, diagnostics)
        return settings
    except ProjectError as err:
        diagnostics.extend(err.diagnostics)
    except ValidationError as err:
        diagnostics.extend(explain_validation(doc, err, Settings))
    return Settings()


def _load_templates(root: Path, diagnostics: list[Diagnostic],
                    sources: dict[str, YamlDocument]) -> dict[str, MessageTemplate]:
    templates: dict[str, MessageTemplate] = {}
    folder = root / TEMPLATES_DIR
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            doc = load_yaml(path)
            template = MessageTemplate.model_validate(doc.data or {})
        except ProjectError as err:
            diagnostics.extend(err.diagnostics)
            continue
        except ValidationError as err:
            diagnostics.extend(explain_validation(doc, err, MessageTemplate))
            continue
        bad = False
        for loc, channel, name, source in template_fields(template):
            try:
                check_syntax(source)
            except TemplateError as terr:
                inside = terr.offset is not None and terr.offset < len(source.rstrip())
                where = (doc.locate_in_value(loc, terr.offset or 0, source)
                         if inside else doc.locate(loc))  # e.g. no endif: the field
                diagnostics.append(Diagnostic(str(doc.path), *where, f"template error: {terr}",
                                              "fix the Liquid syntax"))
                bad = True
                continue
            if not source.strip():
                diagnostics.append(doc.error(loc, f"{channel}.{name} is empty",
                                             "write the message, or remove the field"))
            if PLACEHOLDER in source:
                diagnostics.append(doc.error(
                    loc, f"template still holds the importer's placeholder text ({PLACEHOLDER})"
                    ": it would be sent as is", f"write the real {channel}.{name} and remove "
                    f"every {PLACEHOLDER}"))
        if not bad:
            templates[path.stem] = template
            sources[path.stem] = doc
            for loc, message, hint in locale_problems(template):
                diagnostics.append(doc.error(loc, message, hint))
            for loc, channel, name, source in template_fields(template):
                check_template_text(path.stem, doc, loc, source, channel, name, diagnostics)
    return templates


def _check_references(project: Project, journey: Journey, doc: YamlDocument) -> None:
    names = sorted(project.templates)
    for index_path, step in _step_paths(journey):
        if isinstance(step, SendStep) and step.send.template not in project.templates and not (
                project.root / TEMPLATES_DIR / f"{step.send.template}.yaml").is_file():
            # (a template file that exists but is invalid has its own errors reported)
            project.diagnostics.append(doc.error(
                (*index_path, "send", "template"),
                f"template {step.send.template!r} not found in {TEMPLATES_DIR}/",
                _suggest(step.send.template, names) if names else
                f"create {TEMPLATES_DIR}/{step.send.template}.yaml",
            ))


def _step_paths(journey: Journey) -> list[tuple[tuple[Any, ...], Any]]:
    return list(step_paths(journey.steps))


def custom_attributes(project: Project) -> set[str]:
    """Attributes that journeys' update steps set or settings declare: conditions and templates
    may read them."""
    names: set[str] = set(project.settings.customer_attributes)
    for journey in project.journeys.values():
        for step in iter_steps(journey.steps):
            if isinstance(step, UpdateStep):
                names.update(step.update.set)
    return names


def _guardrails(project: Project) -> None:
    custom = custom_attributes(project)
    fields = project.settings.event_fields
    checked: set[tuple[str, str]] = set()
    for journey_id, journey in project.journeys.items():
        doc = project.sources[journey_id]
        check_journey(journey, doc, project.diagnostics,
                      project.settings.min_marketing_spacing, custom, fields)
        check_input_reads(journey, doc, project.templates, project.template_sources,
                          project.diagnostics)
        check_dialect(journey, doc, project.diagnostics)
        try_expressions(journey, doc, project.diagnostics)
        for spec in journey.sends():
            template = project.templates.get(spec.template)
            # Checked once per trigger event: that decides what data a template sees.
            key = (spec.template, journey.trigger.event)
            if template is None or key in checked:
                continue
            checked.add(key)
            tdoc = project.template_sources[spec.template]
            for loc, _, _, source in template_fields(template):
                check_template_names(spec.template, journey, tdoc, loc, source,
                                     project.diagnostics, custom, fields)
    project.diagnostics += overlap_warnings(project.journeys, project.sources, project.settings)


def journey_files(root: Path) -> list[Path]:
    return [p for p in sorted(root.glob("*.yaml")) if p.name != SETTINGS_FILE]


def load_project(root: Path | str) -> Project:
    """Load everything under ``root``; problems are collected in ``project.diagnostics``."""
    root = Path(root)
    diagnostics: list[Diagnostic] = []
    if not root.is_dir():
        raise ProjectError([Diagnostic(str(root), 1, 1, "journeys directory not found",
                                       "pass the folder holding your journey .yaml files")])
    project = Project(root, _load_settings(root, diagnostics), diagnostics=diagnostics)
    project.templates = _load_templates(root, diagnostics, project.template_sources)
    for path in journey_files(root):
        try:
            doc = load_yaml(path)
        except ProjectError as err:
            diagnostics.extend(err.diagnostics)
            continue
        try:
            journey = Journey.model_validate(doc.data or {})
        except ValidationError as err:
            diagnostics.extend(explain_validation(doc, err, Journey))
            continue
        if journey.id in project.journeys:
            diagnostics.append(doc.error(("id",), f"journey id {journey.id!r} is used twice",
                                         "give each journey file its own id"))
            continue
        project.journeys[journey.id] = journey
        project.sources[journey.id] = doc
        _check_references(project, journey, doc)
    _guardrails(project)
    from tact.broadcast.project import load_broadcasts

    load_broadcasts(project, custom_attributes(project))
    if not project.journeys and not project.broadcasts and not diagnostics:
        diagnostics.append(Diagnostic(str(root), 1, 1, "no journey files found",
                                      "add a journey, e.g. with `tact new NAME`"))
    return project


def require_valid(project: Project) -> Project:
    if project.errors:
        raise ProjectError(project.errors)
    return project
