"""Shared fixtures (worlds and fakes live in ``tests/support``). Hypothesis profiles: `ci`
(bounded, seeded) by default, `soak` for make soak."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from tests.support.paths import JOURNEYS

if TYPE_CHECKING:
    from tests.support.sendkit import World

settings.register_profile("ci", max_examples=25, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("soak", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def journeys_dir() -> Path:
    return JOURNEYS


@pytest.fixture
def send_world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[World]:
    """The send path on moto: the example journeys compiled and run by the local executor on a
    virtual clock, the real send handler, SES/DynamoDB on moto (``tests.support.sendkit``,
    imported here so that the unit tier does not load the executor and the handlers)."""
    from tests.support.sendkit import world

    with world(monkeypatch, tmp_path) as the_world:
        yield the_world


@pytest.fixture
def fresh_logger(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A Powertools Logger built now (at DEBUG), so it writes to this test's captured stdout;
    forgotten again afterwards."""
    import logging

    from tact import observability

    def forget() -> None:
        observability.logger.cache_clear()
        named = logging.getLogger(observability.SERVICE)
        for handler in list(named.handlers):
            named.removeHandler(handler)
        for attribute in ("init", "powertools_handler", "logger_handler"):
            if hasattr(named, attribute):
                delattr(named, attribute)

    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "DEBUG")
    forget()
    yield
    forget()
