"""`tact validate` refuses JSONata that jsonata-python runs but JSONata 2.0.6 rejects (issue 14,
finding 6): `?:` and `??` are syntax errors (S0211) in JSONata 2.0.6 (checked with the npm
package) and evaluate in jsonata-python, so an expression would mean two things."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tact.expressions import evaluate
from tact.journey.project import load_project
from tests.support.paths import JOURNEYS


@pytest.mark.parametrize(("condition", "col"), [
    ("(cart.currency ?: 'EUR') = 'EUR'", 25), ("(cart.currency ?? 'EUR') = 'EUR'", 25)])
def test_operators_jsonata_2_0_6_lacks_are_refused_at_file_line_col(
        tmp_path: Path, condition: str, col: int) -> None:
    assert evaluate(condition, {"cart": {}}) is True  # jsonata-python runs it
    folder = tmp_path / "journeys"
    shutil.copytree(JOURNEYS, folder)
    journey = folder / "abandoned_cart.yaml"
    journey.write_text(journey.read_text(encoding="utf-8").replace(
        'when: "cart.value >= 20"', f'when: "{condition}"'), encoding="utf-8")
    errors = [d.format() for d in load_project(folder).errors]
    assert any(f"abandoned_cart.yaml:7:{col}: error:" in e and "JSONata 2.0.6" in e
               for e in errors), errors


def test_the_same_characters_inside_a_string_are_fine(tmp_path: Path) -> None:
    folder = tmp_path / "journeys"
    shutil.copytree(JOURNEYS, folder)
    journey = folder / "abandoned_cart.yaml"
    journey.write_text(journey.read_text(encoding="utf-8").replace(
        'when: "cart.value >= 20"', "when: \"cart.currency != '??'\""), encoding="utf-8")
    assert [d for d in load_project(folder).errors if "2.0.6" in d.message] == []
