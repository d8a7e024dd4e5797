"""An execution's history events are records nobody can change once made."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tact.local.stepfunctions.records import HistoryEvent


def test_a_history_event_cannot_be_changed() -> None:
    event = HistoryEvent(datetime(2026, 1, 1, tzinfo=UTC), "Send", "TaskSucceeded", {"a": 1})
    assert (event.time.year, event.state, event.type, event.detail) == (
        2026, "Send", "TaskSucceeded", {"a": 1})
    for name in ("time", "state", "type", "detail"):
        with pytest.raises(AttributeError):
            setattr(event, name, None)
    assert event == HistoryEvent(event.time, "Send", "TaskSucceeded", {"a": 1})
    assert event != HistoryEvent(event.time, "Send", "TaskFailed", {"a": 1})
