"""``tact validate``, ``tact build`` and ``tact schema``: check and compile the journeys."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tact.cli.console import JourneysDir, err, load_journeys, out


def validate(journeys: Annotated[Path, typer.Argument(help="folder of journey files")] = Path(
        "journeys")) -> None:
    """Check journey files, settings and templates; exit 1 with file:line:col on errors."""
    project = load_journeys(journeys)
    extra = (f", {len(project.broadcasts)} broadcasts, {len(project.segments)} segments"
             if project.broadcasts or project.segments else "")
    out.print(f"[green]ok[/]: {len(project.journeys)} journeys{extra}, "
              f"{len(project.templates)} templates valid")


def build(out_dir: Annotated[Path, typer.Option("--out", help="where to write definitions")] = Path(
        "infra/generated"), journeys: JourneysDir = Path("journeys"),
        check: Annotated[bool, typer.Option(
            "--check", help="write nothing; exit 1 if the files in --out are stale")] = False,
) -> None:
    """Compile every journey to <id>.asl.json, plus bundle.json and the journeys' SAM stack."""
    from tact.infra_gen import generated_files, stale_files, write_files

    project = load_journeys(journeys)
    files = generated_files(project)
    if check:
        problems = stale_files(out_dir, files)
        for problem in problems:
            err.print(f"[red]{problem}[/]", soft_wrap=True)
        if problems:
            err.print(f"run `tact build --out {out_dir}` and commit the result", soft_wrap=True)
            raise typer.Exit(1)
        out.print(f"[green]ok[/]: {out_dir} is up to date ({len(files)} files)")
        return
    for path in write_files(out_dir, files):
        out.print(f"wrote {path}")


def schema(out_dir: Annotated[Path, typer.Option("--out", help="where to write them")] = Path(
        "infra/schemas/journeys"), journeys: JourneysDir = Path("journeys")) -> None:
    """Write the JSON Schemas of journey, settings and template files (editor completion), and
    of the events whose fields or attributes the project's settings declare (events/)."""
    import json

    from tact.journey.project import load_project
    from tact.journey.schema import write_schemas
    from tact.models.event_schemas import declared_schemas

    for path in write_schemas(out_dir):
        out.print(f"wrote {path}")
    # Settings as far as they load: the editor schemas are wanted most while files are wrong.
    settings = load_project(journeys).settings if journeys.is_dir() else None
    own = declared_schemas(settings.event_fields, settings.customer_attributes) if settings \
        else {}
    for name, body in own.items():
        path = out_dir / "events" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        out.print(f"wrote {path} (with the fields your settings declare)")
