"""Where the project's folders are, for tests at any depth."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JOURNEYS = ROOT / "journeys"


def journeys_folder(folder: Path, journeys: dict[str, str],
                    templates: dict[str, str] | None = None) -> Path:
    """A journeys folder of its own: the repository's settings, ``journeys`` ({file stem: YAML})
    and ``templates`` ({template name: YAML}); returns ``folder``."""
    (folder / "templates").mkdir(parents=True, exist_ok=True)
    (folder / "settings.yaml").write_bytes((JOURNEYS / "settings.yaml").read_bytes())
    for stem, text in journeys.items():
        (folder / f"{stem}.yaml").write_text(text, encoding="utf-8")
    for name, text in (templates or {}).items():
        (folder / "templates" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder
