"""Issue 17: Pinpoint campaigns and segment-started journeys become broadcasts plus a segment
scaffold, with the segment's dimensions where they can be expressed and the rest reported."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tact.cli import app
from tact.journey.project import load_project

FIXTURES = Path(__file__).resolve().parent / "fixtures"  # journeys
CAMPAIGNS = Path(__file__).resolve().parent / "campaigns"  # campaigns and their segments


def _import(tmp_path: Path, *args: str) -> tuple[int, str, Path]:
    out = tmp_path / "journeys"
    result = CliRunner().invoke(app, ["import-pinpoint", *args, "--out", str(out)])
    return result.exit_code, " ".join(result.output.split()), out


def _fill_templates(out: Path) -> None:
    for path in (out / "templates").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
        kept = "\n".join(line.replace("FILL IN", "Our") for line in lines)
        path.write_text(kept + "\n", encoding="utf-8")


def test_a_campaign_with_its_segment_becomes_one_valid_broadcast(tmp_path: Path) -> None:
    code, text, out = _import(tmp_path, str(CAMPAIGNS / "autumn_campaign.json"), "--segment",
                              str(CAMPAIGNS / "active_fashion_segment.json"))
    assert code == 1  # the scaffolded template is still to write
    assert "segment Demographic dimensions are not carried over" in text
    assert "Daily 1" in text and "quiet time 21:00-08:00" in text
    _fill_templates(out)
    project = load_project(out)
    assert [d.format() for d in project.errors] == []
    broadcast = project.broadcasts["autumn_range"]
    assert broadcast.segment == "active_fashion_buyers"
    assert broadcast.local() is not None and broadcast.local().local_time == "10:00"
    assert str(broadcast.local().date) == "2026-11-05"
    assert broadcast.throttle == 50 and broadcast.holdout == 0.05
    assert (broadcast.send.channel, broadcast.send.template) == ("email", "autumn_range")
    assert project.segments["active_fashion_buyers"].when == (
        'customer.lifecycle_stage in ["active"] and customer.favorite_category in ["fashion"]')


def test_a_campaign_without_its_segment_says_what_to_fill_in(tmp_path: Path) -> None:
    code, text, out = _import(tmp_path, str(CAMPAIGNS / "autumn_campaign.json"))
    assert code == 1
    assert "the condition of segment c0ffee00c0ffee00c0ffee00c0ffee00" in text
    assert "--segment FILE" in text
    segment = out / "segments" / "segment_c0ffee00.yaml"
    assert "when: FILL_IN_segment_condition" in segment.read_text()
    line = segment.read_text().splitlines().index("when: FILL_IN_segment_condition") + 1
    assert f"segment_c0ffee00.yaml:{line}:7: error: unknown name 'FILL_IN_segment_condition'" \
        in text


def test_a_segment_started_journey_becomes_a_broadcast_per_branch(tmp_path: Path) -> None:
    code, text, out = _import(tmp_path, str(FIXTURES / "winback_segment.json"), "--broadcast")
    assert code == 1
    assert "a broadcast sends once to the segment as it is then" in text
    assert "when to send" in text
    written = {p.stem: p.read_text() for p in (out / "broadcasts").glob("*.yaml")}
    assert set(written) == {"win_back_lapsed_vip_email", "win_back_lapsed_shoes_push",
                            "win_back_lapsed_generic_email"}
    # First match wins, as in the Pinpoint multi-condition split.
    assert 'when: "customer.order_count >= 5"' in written["win_back_lapsed_vip_email"]
    assert ('when: "$not(customer.order_count >= 5) and customer.favorite_category in '
            '[\\"shoes\\"]"') in written["win_back_lapsed_shoes_push"]
    for name, text_of in written.items():
        (out / "broadcasts" / f"{name}.yaml").write_text(text_of.replace(
            "at: FILL_IN_date_and_local_time",
            'at: {date: "2026-11-05", local_time: "10:00"}'))
    segment = out / "segments" / "segment_b7e1c2d3.yaml"
    segment.write_text(segment.read_text().replace(
        "when: FILL_IN_segment_condition", "when: \"customer.lifecycle_stage = 'lapsed'\""))
    _fill_templates(out)
    project = load_project(out)
    assert [d.format() for d in project.errors] == []
    assert project.broadcasts["win_back_lapsed_shoes_push"].send.channel == "push"
