"""`tact new NAME --from KIND`: start a journey from one of the tested examples.

The example's journey file is copied with a new id and name, and the message templates it
uses are copied beside the project's own (never overwriting one that exists).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tact.journey.project import TEMPLATES_DIR

KINDS = ("abandoned_cart", "welcome", "post_purchase", "winback", "checkout_reminder")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class ScaffoldError(ValueError):
    pass


@dataclass
class Scaffolded:
    journey: Path
    templates: list[Path] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # templates that existed and were kept


def examples_dir(journeys: Path) -> Path:
    """The examples beside the project's journeys, else those of this Tact checkout."""
    for candidate in (journeys / "examples",
                      Path(__file__).resolve().parents[3] / "journeys" / "examples"):
        if all((candidate / f"{kind}.yaml").is_file() for kind in KINDS):
            return candidate
    raise ScaffoldError(f"no example journeys found in {journeys / 'examples'}")


def scaffold(name: str, kind: str, journeys: Path) -> Scaffolded:
    if kind not in KINDS:
        raise ScaffoldError(f"unknown example {kind!r}; choose one of: {', '.join(KINDS)}")
    if not _ID.match(name):
        raise ScaffoldError(f"{name!r} is not a journey id: use lower_snake_case, e.g. "
                            "spring_welcome")
    target = journeys / f"{name}.yaml"
    if target.exists():
        raise ScaffoldError(f"{target} exists already; pick another name")
    source_dir = examples_dir(journeys)
    text = (source_dir / f"{kind}.yaml").read_text(encoding="utf-8")
    text, count = re.subn(rf"^id: {kind}\s*$", f"id: {name}", text, count=1, flags=re.M)
    if count != 1:
        raise ScaffoldError(f"example {kind} has no `id: {kind}` line")
    text = re.sub(r"^name: (.*)$", lambda m: f"name: {m.group(1)} ({name})", text, count=1,
                  flags=re.M)
    journeys.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    made = Scaffolded(target)
    for template in sorted(set(re.findall(r"template:\s*([a-z0-9_]+)", text))):
        src = source_dir / TEMPLATES_DIR / f"{template}.yaml"
        dst = journeys / TEMPLATES_DIR / f"{template}.yaml"
        if dst.exists():
            made.kept.append(template)
        elif src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            made.templates.append(dst)
    return made
