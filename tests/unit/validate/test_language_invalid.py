"""The invalid-files corpus (``invalid/`` beside this file): every file gives its expected
message at its expected file:line:col through `tact validate`, exit code 1, and never a traceback.

Each file starts with ``# expect: LINE:COL message[ | more text the output must contain]``.
``journey_*`` files are journeys, ``settings_*`` the settings file and ``template_*`` a
message template (used by a small valid cart journey), each put into a copy of the example
project's settings and templates.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tact.cli import app
from tests.support.paths import ROOT

CORPUS = sorted((Path(__file__).parent / "invalid").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+):(\d+) (.+)$")

USES_TEMPLATE = """\
id: uses_{name}
name: Uses the template under test
trigger: {{event: cart_updated}}
exit_on: [purchase_completed]
steps:
  - wait: 2h
  - send: {{id: reminder, template: {name}}}
"""


def _project(tmp: Path, case: Path) -> Path:
    examples = ROOT / "journeys" / "examples"
    shutil.copytree(examples / "templates", tmp / "templates")
    shutil.copy(examples / "settings.yaml", tmp / "settings.yaml")
    kind = case.name.split("_", 1)[0]
    if kind == "journey":
        shutil.copy(case, tmp / case.name)
        return tmp / case.name
    shutil.copy(examples / "abandoned_cart.yaml", tmp / "abandoned_cart.yaml")
    if kind == "settings":
        shutil.copy(case, tmp / "settings.yaml")
        return tmp / "settings.yaml"
    shutil.copy(case, tmp / "templates" / case.name)
    (tmp / f"uses_{case.stem}.yaml").write_text(USES_TEMPLATE.format(name=case.stem))
    return tmp / "templates" / case.name


def test_the_corpus_has_at_least_25_files() -> None:
    assert len(CORPUS) >= 25


@pytest.mark.parametrize("case", CORPUS, ids=[c.stem for c in CORPUS])
def test_invalid_file_reports_message_and_location(case: Path, tmp_path: Path) -> None:
    header = EXPECT.match(case.read_text(encoding="utf-8").splitlines()[0])
    assert header, f"{case.name}: first line must be '# expect: LINE:COL message'"
    line, col, expected = header.groups()
    target = _project(tmp_path, case)
    result = CliRunner().invoke(app, ["validate", str(tmp_path)])
    output = result.output
    assert result.exit_code == 1, output
    assert "Traceback" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    located = [ln for ln in output.splitlines()
               if ln.startswith(f"{target}:{line}:{col}: error: ")]
    assert located, f"no error at {target.name}:{line}:{col} in:\n{output}"
    message, *more = [part.strip() for part in expected.split(" | ")]
    assert any(message in ln for ln in located), output
    for text in more:
        assert text in output, output
