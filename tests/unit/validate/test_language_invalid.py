"""The invalid-files corpus (``invalid/`` beside this file): every file gives its expected
message at its expected file:line:col through `tact validate`, exit code 1, and never a traceback.

Each file starts with ``# expect: LINE:COL message[ | more text the output must contain]``.
``journey_*`` files are journeys, ``settings_*`` the settings file and ``template_*`` a
message template (used by a small valid cart journey), each put into a copy of the example
project's settings and templates.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.corpus import cases, errors_at, expectation, place, validate

CORPUS = cases(Path(__file__).parent / "invalid")


def test_the_corpus_has_at_least_25_files() -> None:
    assert len(CORPUS) >= 25


@pytest.mark.parametrize("case", CORPUS, ids=[c.stem for c in CORPUS])
def test_invalid_file_reports_message_and_location(case: Path, tmp_path: Path) -> None:
    line, col, expected = expectation(case)
    target = place(tmp_path, case)
    code, output = validate(tmp_path)
    assert code == 1, output
    located = errors_at(output, target, line, col)
    message, *more = [part.strip() for part in expected.split(" | ")]
    assert any(message in ln for ln in located), output
    for text in more:
        assert text in output, output
