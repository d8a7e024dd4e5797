"""The wiring hands each invocation the dependencies as configured now: the overrides of a
local run, the bundle named by TACT_BUNDLE_PATH, and new ones after runtime.reset()."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tact import runtime
from tact.ingest.service import IngestDeps
from tact.journey.bundle import bundle_json
from tact.journey.bundle_builder import build
from tact.journey.project import load_project, require_valid
from tests.support.paths import ROOT


@pytest.fixture
def wiring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[Path]]:
    bundle, _ = build(require_valid(load_project(ROOT / "journeys")))
    paths = []
    for name, sender in (("one", "one@example.com"), ("two", "two@example.com")):
        email = bundle.settings.senders.email.model_copy(update={"from_address": sender})
        senders = bundle.settings.senders.model_copy(update={"email": email})
        settings = bundle.settings.model_copy(update={"senders": senders})
        (tmp_path / name).write_text(bundle_json(bundle.model_copy(update={
            "settings": settings})), encoding="utf-8")
        paths.append(tmp_path / name)
    monkeypatch.setenv("TACT_TABLE_NAME", "t")
    runtime.reset()
    yield paths
    runtime.reset()


def test_ingest_deps_are_the_current_overrides_and_bundle(
        wiring: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    for path, (store, orchestrator, model) in zip(
            wiring, ((object(), object(), object()), (object(), object(), None)), strict=True):
        monkeypatch.setenv("TACT_BUNDLE_PATH", str(path))
        runtime.reset()
        runtime.override(store=store, orchestrator=orchestrator, model=model)
        deps = runtime.ingest_deps()
        assert type(deps) is IngestDeps
        assert (deps.store, deps.orchestrator, deps.model) == (store, orchestrator, model)
        assert deps.bundle is runtime.bundle()
        expected = f"{path.name}@example.com"
        assert deps.bundle.settings.senders.email.from_address == expected
        assert runtime.ingest_deps() is not deps  # a new one per invocation, as before
