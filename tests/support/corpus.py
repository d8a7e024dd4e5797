"""Corpora of files `tact validate` must refuse (tests/unit/validate/invalid,
tests/e2e/isolation/hostile): each file starts with ``# expect: LINE:COL message``;
``journey_*`` files are journeys, ``settings_*`` the settings file, ``template_*`` a template
(used by a small valid cart journey), each placed in a copy of the example project."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.support.paths import ROOT
from tests.support.timeguard import guard

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


def cases(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


def expectation(case: Path) -> tuple[str, str, str]:
    """(line, column, message) the file's first line promises."""
    header = EXPECT.match(case.read_text(encoding="utf-8").splitlines()[0])
    assert header, f"{case.name}: first line must be '# expect: LINE:COL message'"
    line, col, message = header.groups()
    return line, col, message


def place(tmp: Path, case: Path) -> Path:
    """A copy of the example project with ``case`` in it; where the case now is."""
    examples = ROOT / "journeys" / "examples"
    shutil.copytree(examples / "templates", tmp / "templates")
    shutil.copy(examples / "settings.yaml", tmp / "settings.yaml")
    kind = case.name.split("_", 1)[0]
    if kind == "journey":
        target = tmp / case.name
    elif kind == "settings":
        target = tmp / "settings.yaml"
    else:
        target = tmp / "templates" / case.name
        (tmp / f"uses_{case.stem}.yaml").write_text(USES_TEMPLATE.format(name=case.stem))
    if kind != "journey":
        shutil.copy(examples / "abandoned_cart.yaml", tmp / "abandoned_cart.yaml")
    shutil.copy(case, target)
    return target


def validate(folder: Path) -> tuple[int, str]:
    """`tact validate folder`: exit code and output, which is never a traceback (a generous
    guard stops a file that would never end)."""
    from typer.testing import CliRunner

    from tact.cli import app

    with guard(120):
        result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def errors_at(output: str, target: Path, line: str, col: str) -> list[str]:
    """The output's errors located at ``target:line:col``."""
    located = [ln for ln in output.splitlines() if ln.startswith(f"{target}:{line}:{col}: error: ")]
    assert located, f"no error at {target.name}:{line}:{col} in:\n{output}"
    return located
