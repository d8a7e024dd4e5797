"""tact schema, graph, new and preview."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from tact.cli import app
from tact.journey.project import load_project
from tact.journey.yamlsource import load_yaml
from tests.support.paths import ROOT

EXAMPLES = ROOT / "journeys" / "examples"
runner = CliRunner()


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("schemas")
    result = runner.invoke(app, ["schema", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return {kind: json.loads((out / f"{kind}.schema.json").read_text())
            for kind in ("journey", "settings", "template")}


def _files() -> list[tuple[str, Path]]:
    found = []
    for folder in (ROOT / "journeys", EXAMPLES):
        for path in sorted(folder.glob("*.yaml")):
            found.append(("settings" if path.name == "settings.yaml" else "journey", path))
        found += [("template", p) for p in sorted((folder / "templates").glob("*.yaml"))]
    return found


def test_schema_output_validates_every_example_file(schemas: dict[str, dict]) -> None:
    files = _files()
    assert len([f for f in files if f[0] == "journey"]) >= 5
    for kind, path in files:
        validator = jsonschema.Draft202012Validator(schemas[kind])
        errors = [e.message for e in validator.iter_errors(load_yaml(path).data)]
        assert errors == [], path


def test_schema_rejects_what_the_loader_rejects(schemas: dict[str, dict]) -> None:
    validator = jsonschema.Draft202012Validator(schemas["journey"])
    journey = load_yaml(EXAMPLES / "abandoned_cart.yaml").data
    assert validator.is_valid(journey)
    assert not validator.is_valid({**journey, "steps": [{"delay": "2h"}]})
    assert not validator.is_valid({**journey, "trigger": {"event": "cart_update"}})
    assert not validator.is_valid({**journey, "exit_onn": []})
    assert not validator.is_valid({**journey, "holdout": "80%!"})


def test_graph_mermaid_shows_steps_branches_and_holdout() -> None:
    result = runner.invoke(app, ["graph", "winback", "-j", str(EXAMPLES)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("flowchart TD")
    for expected in ('{"holdout 10%"}', '-->|"control"|', '("wait until 10:00 local")',
                     "send winback_offer", '-->|"customer.lifecycle_stage = \'lapsed\'"|',
                     '-->|"no match"|', "goal: purchase_completed"):
        assert expected in text, expected


def test_graph_image_without_tools_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    monkeypatch.setattr(shutil, "which", lambda _: None)
    result = runner.invoke(app, ["graph", "welcome", "-j", str(EXAMPLES), "--format", "png",
                                 "--out", str(tmp_path / "w.png")])
    assert result.exit_code == 1
    assert "neither Graphviz" in result.output and "--format mermaid" in result.output
    assert "Traceback" not in result.output


def test_graph_unknown_journey_is_a_clear_error() -> None:
    result = runner.invoke(app, ["graph", "welcom", "-j", str(EXAMPLES)])
    assert result.exit_code == 1
    assert "no journey 'welcom'" in result.output


@pytest.mark.parametrize("kind", ["abandoned_cart", "welcome", "post_purchase", "winback"])
def test_new_scaffolds_a_valid_journey_from_each_example(kind: str, tmp_path: Path) -> None:
    journeys = tmp_path / "journeys"
    shutil.copytree(EXAMPLES, journeys / "examples")
    shutil.copy(EXAMPLES / "settings.yaml", journeys / "settings.yaml")
    result = runner.invoke(app, ["new", f"my_{kind}", "--from", kind, "-j", str(journeys)])
    assert result.exit_code == 0, result.output
    project = load_project(journeys)
    assert [d.format() for d in project.diagnostics] == []
    assert list(project.journeys) == [f"my_{kind}"]
    again = runner.invoke(app, ["new", f"my_{kind}", "--from", kind, "-j", str(journeys)])
    assert again.exit_code == 1 and "exists already" in again.output


def test_new_rejects_unknown_example_and_bad_name(tmp_path: Path) -> None:
    bad_kind = runner.invoke(app, ["new", "x", "--from", "birthday", "-j", str(tmp_path)])
    assert bad_kind.exit_code == 1 and "choose one of" in bad_kind.output
    bad_name = runner.invoke(app, ["new", "My Journey", "-j", str(tmp_path)])
    assert bad_name.exit_code == 1 and "lower_snake_case" in bad_name.output


def test_preview_renders_strictly_for_a_sample_customer(tmp_path: Path) -> None:
    sample = EXAMPLES / "customers" / "ana.yaml"
    result = runner.invoke(app, ["preview", "cross_sell", "--customer", str(sample),
                                 "-j", str(EXAMPLES)])
    assert result.exit_code == 0, result.output
    assert "Something you may like next: Recycled hoodie (apparel)" in result.output
    assert "Organic tee" not in result.output
    # A template reading data this sample lacks is an error, never a blank.
    missing = runner.invoke(app, ["preview", "cart_reminder_1", "--customer", str(sample),
                                  "-j", str(EXAMPLES)])
    assert missing.exit_code == 1
    assert "'cart' is undefined" in missing.output
    unknown = runner.invoke(app, ["preview", "cross_sel", "--customer", str(sample),
                                  "-j", str(EXAMPLES)])
    assert unknown.exit_code == 1 and "no template 'cross_sel'" in unknown.output


def test_graph_image_goes_through_graphviz_when_installed(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    # A stand-in `dot` on PATH (Graphviz is not installed here): it records the DOT source
    # it is given and writes the output file, so the wiring up to the tool is what is tested.
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\nout="$3"\ncat > "$out.src"\necho "<svg/>" > "$out"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{__import__('os').environ['PATH']}")
    target = tmp_path / "welcome.svg"
    result = runner.invoke(app, ["graph", "welcome", "-j", str(EXAMPLES), "--format", "svg",
                                 "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert "with graphviz" in result.output and target.read_text() == "<svg/>\n"
    source = Path(f"{target}.src").read_text()
    assert source.startswith('digraph "welcome"')
    assert 'label="customer.has_account = true"' in source
