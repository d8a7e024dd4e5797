"""The synthetic traffic generator: valid, deterministic, and shaped like a real shop."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from tact.cli import app
from tact.generate import TrafficStats, generate
from tact.models.events import parse_event

START = datetime(2026, 11, 2, tzinfo=UTC)


def test_same_seed_same_events_other_seed_other_events() -> None:
    assert generate(200, 7, seed=5) == generate(200, 7, seed=5)
    assert generate(200, 7, seed=5) != generate(200, 7, seed=6)


def test_a_customer_does_not_depend_on_how_many_are_generated() -> None:
    few = [e for e in generate(10, 7, seed=3) if e["customer_id"] == "c000007"]
    many = [e for e in generate(300, 7, seed=3) if e["customer_id"] == "c000007"]
    assert few and few == many


def test_every_event_is_a_valid_envelope_in_time_order_inside_the_window() -> None:
    events = generate(300, 3, seed=1)
    times = []
    for raw in events:
        event, _ = parse_event(raw)  # raises on anything the ingest path would reject
        times.append(event.time)
        assert START <= event.time < START + timedelta(days=3)
    assert times == sorted(times)


def test_each_customer_has_a_profile_before_anything_else() -> None:
    first: dict[str, str] = {}
    for raw in generate(300, 7, seed=2):
        first.setdefault(raw["customer_id"], raw["type"])
    assert len(first) == 300
    assert set(first.values()) == {"customer_updated", "signup"}


def test_rates_look_like_a_shop() -> None:
    stats = TrafficStats()
    events = generate(3000, 7, seed=11, stats=stats)
    assert 0.62 <= stats.abandonment <= 0.78  # ~70 % of carts abandoned
    assert 0.02 <= stats.purchases / stats.sessions <= 0.08  # a few % of sessions convert
    assert 0.10 <= stats.signups / stats.customers <= 0.20
    zones = Counter(e["data"]["timezone"] for e in events
                    if e["type"] in ("customer_updated", "signup"))
    assert len(zones) >= 6 and zones.most_common(1)[0][0] == "Europe/Berlin"
    consent = [e["data"] for e in events if e["type"] == "consent_changed"]
    email_opt_in = sum(1 for c in consent if c["channel"] == "email" and c["granted"]
                       and c["source"] == "signup_form")
    assert 0.5 <= email_opt_in / 3000 <= 0.75
    assert any(not c["granted"] for c in consent)  # withdrawals happen
    assert stats.duplicates > 0  # and so do redeliveries
    ids = Counter(e["id"] for e in events)
    assert sum(1 for n in ids.values() if n > 1) == stats.duplicates


def test_sessions_favour_local_evenings() -> None:
    from zoneinfo import ZoneInfo

    events = generate(2000, 7, seed=4)
    zones = {e["customer_id"]: e["data"]["timezone"] for e in events
             if e["type"] in ("customer_updated", "signup")}
    hours = Counter(
        datetime.fromisoformat(e["time"].replace("Z", "+00:00"))
        .astimezone(ZoneInfo(zones[e["customer_id"]])).hour
        for e in events if e["type"] == "cart_updated")
    evening = sum(hours[h] for h in range(18, 23))
    night = sum(hours[h] for h in range(1, 6))
    assert evening > 4 * night


def test_cli_writes_json_lines_and_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    result = CliRunner().invoke(app, ["generate-events", "--customers", "50", "--days", "2",
                                      "--seed", "9", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert [json.loads(line) for line in lines] == generate(50, 2, seed=9)
    assert "50 customers" in result.output and "abandonment" in result.output


def test_cli_refuses_a_bad_start_date() -> None:
    result = CliRunner().invoke(app, ["generate-events", "--start", "next monday"])
    assert result.exit_code == 2
    assert "not a date" in result.output
