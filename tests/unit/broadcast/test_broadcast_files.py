"""Broadcast and segment files: loaded, checked like journeys, errors at file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from tact.journey.project import load_project
from tact.journey.schema import schemas
from tests.support.broadcast_world import BROADCAST, write_project
from tests.support.paths import JOURNEYS


def _errors(root: Path) -> list[str]:
    project = load_project(root)
    return [d.format() for d in project.diagnostics if d.severity == "error"]


def test_the_issue_example_loads(tmp_path: Path) -> None:
    text = BROADCAST + "throttle: 50/s\nholdout: 5%\n"
    project = load_project(write_project(tmp_path, text))
    assert not project.errors, [d.format() for d in project.errors]
    broadcast = project.broadcasts["autumn_range"]
    assert broadcast.throttle == 50.0
    assert broadcast.holdout == pytest.approx(0.05)
    assert broadcast.local() is not None and broadcast.local().local_time == "10:00"


def test_an_instant_without_a_zone_is_an_error_at_its_line(tmp_path: Path) -> None:
    text = BROADCAST.replace('at: {date: "2026-11-05", local_time: "10:00"}',
                             'at: "2026-11-05T09:00:00"')
    errors = _errors(write_project(tmp_path, text))
    assert len(errors) == 1
    assert "autumn_range.yaml:6:" in errors[0] and "no time zone" in errors[0]


def test_a_local_time_inside_quiet_hours_is_an_error(tmp_path: Path) -> None:
    text = BROADCAST.replace('local_time: "10:00"', 'local_time: "22:30"')
    errors = _errors(write_project(tmp_path, text))
    assert len(errors) == 1
    assert "autumn_range.yaml:6:" in errors[0] and "inside quiet hours" in errors[0]


def test_an_instant_inside_quiet_hours_is_valid_it_defers_customers(tmp_path: Path) -> None:
    text = BROADCAST.replace('at: {date: "2026-11-05", local_time: "10:00"}',
                             'at: "2026-11-05T22:00:00Z"')
    assert _errors(write_project(tmp_path, text)) == []


def test_an_id_used_by_a_journey_is_an_error(tmp_path: Path) -> None:
    journey = JOURNEYS / "examples" / "winback.yaml"
    template = journey.parent / "templates"
    root = write_project(tmp_path, BROADCAST.replace("id: autumn_range", "id: winback"), extra={
        "winback.yaml": journey.read_text(encoding="utf-8"),
        "templates/winback_offer.yaml": (template / "winback_offer.yaml").read_text(),
        "templates/winback_last_call.yaml": (template / "winback_last_call.yaml").read_text(),
    })
    errors = _errors(root)
    assert any("autumn_range.yaml:1:" in e and "already used by a journey" in e for e in errors)


@pytest.mark.parametrize(("change", "where", "message"), [
    (("customer.favorite_category", "customer.favourite_category"), ":3:",
     "unknown customer attribute 'favourite_category'"),
    (("customer.lifecycle_stage = 'active'", "customer.gender = 'f'"), ":3:", "gender data"),
    (("customer.lifecycle_stage", "cart.value > 1 and customer.lifecycle_stage"), ":3:",
     "unknown name 'cart'"),
    (("template: autumn_range", "template: autum_range"), ":5:", "did you mean 'autumn_range'"),
    (("throttle", "throttle"), ":7:", "throttle 'fast'"),
    (("holdout", "holdout"), ":7:", "less than or equal to 0.5"),
    (("channel: preferred", "channel: pigeon"), ":5:", "'preferred'"),
])
def test_mistakes_are_named_with_file_line_col(tmp_path: Path, change: tuple[str, str],
                                               where: str, message: str) -> None:
    text = BROADCAST.replace(*change)
    if change[0] == "throttle":
        text += "throttle: fast\n"
    if change[0] == "holdout":
        text += "holdout: 60%\n"
    errors = _errors(write_project(tmp_path, text))
    assert errors, "expected an error"
    assert any(where in e and message in e for e in errors), errors


def test_a_segment_file_is_referenced_by_id(tmp_path: Path) -> None:
    segment = ("id: active_apparel\nname: Active apparel buyers\n"
               "when: \"customer.lifecycle_stage = 'active'\"\n")
    text = BROADCAST.replace(
        "segment: \"customer.lifecycle_stage = 'active' and customer.favorite_category = "
        "'apparel'\"", "segment: active_apparel")
    root = write_project(tmp_path, text, extra={"segments/active_apparel.yaml": segment})
    project = load_project(root)
    assert not project.errors, [d.format() for d in project.errors]
    assert project.segments["active_apparel"].when == "customer.lifecycle_stage = 'active'"


def test_an_unknown_segment_reference_and_a_bad_segment_file_are_errors(tmp_path: Path) -> None:
    segment = "id: lapsed\nname: Lapsed\nwhen: \"customer.lifecyle_stage = 'lapsed'\"\n"
    text = BROADCAST.replace(
        "segment: \"customer.lifecycle_stage = 'active' and customer.favorite_category = "
        "'apparel'\"", "segment: lapsd")
    errors = _errors(write_project(tmp_path, text, extra={"segments/lapsed.yaml": segment}))
    assert any("autumn_range.yaml:3:" in e and "did you mean 'lapsed'" in e for e in errors)
    assert any("lapsed.yaml:3:" in e and "lifecyle_stage" in e for e in errors)


def test_a_template_reading_event_data_is_an_error_for_a_broadcast(tmp_path: Path) -> None:
    root = write_project(tmp_path, extra={"templates/autumn_range.yaml": (
        "email:\n  subject: Hi\n  text: \"{{ cart.value }} {{ links.unsubscribe }}\"\n")})
    errors = _errors(root)
    assert any("templates/autumn_range.yaml:3:" in e and "unknown name 'cart'" in e
               for e in errors), errors


def test_the_json_schemas_cover_broadcasts_and_segments() -> None:
    exported = schemas()
    assert {"broadcast", "segment"} <= set(exported)
    props = exported["broadcast"]["properties"]
    assert {"id", "segment", "send", "at", "throttle", "holdout", "purpose"} <= set(props)
    assert exported["segment"]["required"] == ["id", "name", "when"]
