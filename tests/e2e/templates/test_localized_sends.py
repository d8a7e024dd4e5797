"""Issue 15 acceptance 5: a Finnish-locale customer gets the `fi` part, an `sv-FI` customer the
`sv` part, anyone else the default, in `tact simulate --json` (each message names its locale),
with money written the customer's way."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tact.cli import app
from tests.unit.templates.test_localization import JOURNEY, LOCALIZED

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "journeys" / "examples"


def _events(customer: str, locale: str | None) -> list[dict[str, Any]]:
    def event(n: int, kind: str, at: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"id": f"{customer}-{n}", "type": kind, "customer_id": customer,
                "time": f"2026-11-02T{at}Z", "data": data}

    profile = {"email": f"{customer}@example.com", **({"locale": locale} if locale else {})}
    return [event(1, "customer_updated", "07:00:00", profile),
            event(2, "consent_changed", "07:01:00", {"channel": "email", "purpose": "marketing",
                                                      "granted": True}),
            event(3, "cart_updated", "09:00:00", {"cart_id": "c1", "value": 49.9})]


def test_each_customer_gets_the_part_of_their_locale(tmp_path: Path) -> None:
    project = tmp_path / "journeys"
    shutil.copytree(EXAMPLES / "templates", project / "templates")
    shutil.copy(EXAMPLES / "settings.yaml", project / "settings.yaml")
    (project / "templates" / "localized.yaml").write_text(LOCALIZED, encoding="utf-8")
    (project / "j.yaml").write_text(JOURNEY, encoding="utf-8")
    (tmp_path / "functions").symlink_to(ROOT / "functions")
    events = tmp_path / "events.jsonl"
    people = {"fia": "fi", "fin": "fi-FI", "sven": "sv-FI", "dora": "de-DE", "nobody": None}
    events.write_text("".join(json.dumps(e) + "\n" for name, locale in people.items()
                              for e in _events(name, locale)), encoding="utf-8")
    result = CliRunner().invoke(app, ["simulate", "--json", "--store", "memory",
                                      "--journeys", str(project), "--events", str(events),
                                      "--save-run", str(tmp_path / "run.json")])
    assert result.exit_code == 0, result.output
    messages = json.loads(result.stdout)["messages"]
    assert {m["customer_id"]: m["locale"] for m in messages} == {
        "fia": "fi", "fin": "fi", "sven": "sv", "dora": "default", "nobody": "default"}
