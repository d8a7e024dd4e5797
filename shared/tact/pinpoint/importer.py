"""Write an imported Pinpoint journey into a journeys folder and check it like `tact validate`.

Files: ``<out>/<id>.yaml`` (the journey), ``<out>/settings.yaml`` when there is none yet --
otherwise ``<out>/pinpoint/<id>.settings.yaml`` to merge by hand -- and a scaffold in
``<out>/templates/`` for each template the journey names that does not exist yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tact.diagnostics import Diagnostic, ProjectError
from tact.pinpoint.convert import convert
from tact.pinpoint.emit import COMMENT, dump
from tact.pinpoint.findings import Conversion, PinpointError

FRAGMENTS_DIR = "pinpoint"


@dataclass
class ImportResult:
    conversion: Conversion
    journey_path: Path
    settings_path: Path
    settings_is_fragment: bool
    templates_written: list[Path] = field(default_factory=list)
    template_todo: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not [d for d in self.diagnostics if d.severity == "error"]

    @property
    def complete(self) -> bool:
        """Nothing left to fill in: it validates and the report asks for nothing."""
        return self.valid and not self.conversion.of("fill_in")


class PinpointImportError(Exception):
    """The input cannot be imported; the message says where and why."""


def read_pinpoint(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PinpointImportError(f"{path}: file not found") from None
    except json.JSONDecodeError as err:
        raise PinpointImportError(f"{path}:{err.lineno}:{err.colno}: not JSON: {err.msg}") from None
    if not isinstance(data, dict):
        raise PinpointImportError(f"{path}: expected a Pinpoint journey object")
    return data


_BODY = ("FILL IN: the {what} of Pinpoint template {source}. Pinpoint's Handlebars "
         "variables become Liquid on the customer model (see the README).")


def _template_yaml(name: str, channels: set[str], source: str | None,
                   data: str | None) -> str:
    what = source or f"{name} (the journey had no template name)"
    node: dict[str, Any] = {COMMENT: [
        f"Scaffolded by `tact import-pinpoint` for Pinpoint template {what}.",
        "FILL IN the real content before deploying: this placeholder text would be sent as is."]}
    body = _BODY.format(what="message", source=what)
    if "email" in channels:
        node["email"] = {"subject": f"FILL IN subject ({what})",
                         "text": body + "\n\nUnsubscribe: {{ links.unsubscribe }}\n"}
    if "sms" in channels:
        node["sms"] = {"text": _BODY.format(what="SMS text", source=what)}
    if "push" in channels:
        node["push"] = {"title": f"FILL IN title ({what})",
                        "body": _BODY.format(what="push body", source=what)}
    if "webhook" in channels:
        node["webhook"] = {"body": data or "{}"}
    return dump(node)


def _settings_node(conversion: Conversion) -> dict[str, Any]:
    node = dict(conversion.settings)
    header = [f"Settings from Pinpoint journey {conversion.journey.get('name')!r} "
              "(`tact import-pinpoint`)."]
    node[COMMENT] = header + list(node.get(COMMENT, []))
    if "quiet_hours" not in node:
        node["quiet_hours"] = None
        node[COMMENT].append("The Pinpoint journey had no quiet time, so none is set here; "
                             "Tact's default (21:00-08:00 local) is kinder -- consider it.")
    return node


def import_file(path: Path, out_dir: Path, event_map: dict[str, str] | None = None,
                trigger: str | None = None, force: bool = False) -> ImportResult:
    data = read_pinpoint(path)
    try:
        conversion = convert(data, event_map, trigger)
    except PinpointError as err:
        raise PinpointImportError(f"{path}: {err.where}: {err.message}") from None
    out_dir.mkdir(parents=True, exist_ok=True)
    journey_path = out_dir / f"{conversion.journey_id}.yaml"
    if journey_path.exists() and not force:
        raise PinpointImportError(f"{journey_path} exists; pass --force to overwrite it")
    journey_path.write_text(dump(conversion.journey), encoding="utf-8")
    settings_path = out_dir / "settings.yaml"
    fragment = settings_path.exists()
    if fragment:
        settings_path = out_dir / FRAGMENTS_DIR / f"{conversion.journey_id}.settings.yaml"
        settings_path.parent.mkdir(exist_ok=True)
    settings_path.write_text(dump(_settings_node(conversion)), encoding="utf-8")
    result = ImportResult(conversion, journey_path, settings_path, fragment)
    templates = out_dir / "templates"
    data_by_template = _custom_data(data)
    for name, channels in sorted(conversion.templates.items()):
        target = templates / f"{name}.yaml"
        if target.exists():
            result.template_todo.append(
                f"{target} exists and was kept: check it has a part for "
                f"{', '.join(sorted(channels))}")
            continue
        templates.mkdir(exist_ok=True)
        target.write_text(_template_yaml(name, channels, conversion.template_sources.get(name),
                                         data_by_template.get(name)), encoding="utf-8")
        result.templates_written.append(target)
    # Kept templates too: the journey sends them, so their problems are this import's.
    result.diagnostics = _check(out_dir, {journey_path, settings_path, *(
        templates / f"{name}.yaml" for name in conversion.templates)})
    return result


@dataclass
class BroadcastImportResult:
    conversion: Any  # tact.pinpoint.broadcasts.BroadcastConversion
    written: list[Path] = field(default_factory=list)
    template_todo: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not [d for d in self.diagnostics if d.severity == "error"] and not (
            self.conversion.of("fill_in"))


def import_broadcasts(path: Path, out_dir: Path, segment_path: Path | None = None,
                      force: bool = False) -> BroadcastImportResult:
    """A campaign, or a segment-started journey, as broadcasts plus a segment scaffold."""
    from tact.broadcast.project import BROADCASTS_DIR, SEGMENTS_DIR
    from tact.pinpoint.broadcasts import campaign_broadcast, is_campaign, journey_broadcasts

    data = read_pinpoint(path)
    segment = read_pinpoint(segment_path) if segment_path else None
    try:
        conversion = (campaign_broadcast(data, segment) if is_campaign(data)
                      else journey_broadcasts(data, segment))
    except PinpointError as err:
        raise PinpointImportError(f"{path}: {err.where}: {err.message}") from None
    files = {out_dir / BROADCASTS_DIR / f"{bid}.yaml": node
             for bid, node in conversion.broadcasts.items()}
    segment_file = out_dir / SEGMENTS_DIR / f"{conversion.segment_id}.yaml"
    existing = [p for p in files if p.exists()]
    if existing and not force:
        raise PinpointImportError(f"{existing[0]} exists; pass --force to overwrite it")
    result = BroadcastImportResult(conversion)
    if segment_file.exists() and not force:
        result.template_todo.append(f"{segment_file} exists and was kept")
    else:
        files[segment_file] = conversion.segment
    for target, node in files.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump(node), encoding="utf-8")
        result.written.append(target)
    templates = out_dir / "templates"
    for name, channels in sorted(conversion.templates.items()):
        target = templates / f"{name}.yaml"
        if target.exists():
            result.template_todo.append(f"{target} exists and was kept: check it has a part "
                                        f"for {', '.join(sorted(channels))}")
            continue
        templates.mkdir(parents=True, exist_ok=True)
        target.write_text(_template_yaml(name, channels, conversion.template_sources.get(name),
                                         None), encoding="utf-8")
        result.written.append(target)
    result.diagnostics = _check(out_dir, {*files, *(templates / f"{name}.yaml"
                                                    for name in conversion.templates)})
    return result


def print_broadcast_report(console: Any, result: BroadcastImportResult) -> None:
    for path in result.written:
        console.print(f"wrote {path}")
    _print_findings(console, result.conversion, result.template_todo, result.diagnostics)


def _custom_data(data: dict[str, Any]) -> dict[str, str]:
    from tact.pinpoint.findings import slug_id

    journey = data.get("JourneyResponse") or data.get("WriteJourneyRequest") or data
    found = {}
    for activity in (journey.get("Activities") or {}).values():
        custom = activity.get("CUSTOM") if isinstance(activity, dict) else None
        if custom and custom.get("TemplateName") and (custom.get("MessageConfig") or {}).get(
                "Data"):
            found[slug_id(custom["TemplateName"], "t")] = custom["MessageConfig"]["Data"]
    return found


def _check(out_dir: Path, written: set[Path]) -> list[Diagnostic]:
    """`tact validate` on the folder, keeping what concerns the files just written."""
    from tact.journey.project import load_project

    try:
        project = load_project(out_dir)
    except ProjectError as err:
        return err.diagnostics
    names = {str(p) for p in written} | {str(p.resolve()) for p in written}
    return [d for d in project.diagnostics if d.file in names]


def print_report(console: Any, result: ImportResult) -> None:
    c = result.conversion
    console.print(f"wrote {result.journey_path}")
    console.print(f"wrote {result.settings_path}" + (
        " (merge it into settings.yaml: that file exists and was left alone)"
        if result.settings_is_fragment else ""))
    for path in result.templates_written:
        console.print(f"wrote {path} (placeholder text: FILL IN before deploying)")
    _print_findings(console, c, result.template_todo, result.diagnostics)


def _print_findings(console: Any, c: Any, todos: list[str],
                    diagnostics: list[Diagnostic]) -> None:
    sections = [("unmapped", "Not imported (kept as comments in the output)"),
                ("approximated", "Approximated (check the comments)"),
                ("fill_in", "You must fill in"), ("mapped", "Mapped")]
    for kind, title in sections:
        items = c.of(kind)
        if not items:
            continue
        console.print(f"[bold]{title}[/] ({len(items)}):")
        for finding in items:
            console.print(f"  {finding.where}: {finding.message}", soft_wrap=True)
    for line in todos:
        console.print(f"  {line}", soft_wrap=True)
    errors = [d for d in diagnostics if d.severity == "error"]
    for d in sorted(diagnostics):
        colour = "red" if d.severity == "error" else "yellow"
        console.print(f"[{colour}]{d.file}:{d.line}:{d.col}: {d.severity}:[/] {d.message}",
                      soft_wrap=True)
        if d.hint:
            console.print(f"    hint: {d.hint}", soft_wrap=True)
    todo = len(c.of("fill_in"))
    if errors or todo:
        console.print(f"[red]{len(errors)} problem(s) before `tact validate` passes and {todo} "
                      "item(s) of the report to fill in (see above)[/]")
    else:
        console.print("[green]ok[/]: the import passes `tact validate`")
