"""The broadcast Lambdas on moto: the audience by parallel scan, batches through the send path,
and a retried batch that sends nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tact.local.lambda_context import LocalLambdaContext
from tact.store.keys import msg_key
from tests.support.broadcast_world import write_project
from tests.support.sendkit import consent, envelope, profile, ses_sent, world

SEGMENT = "customer.lifecycle_stage = 'active' and customer.favorite_category = 'apparel'"
T = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def purchase(customer: str, category: str = "apparel") -> dict[str, Any]:
    return envelope(f"{customer}-order", "purchase_completed", customer, T,
                    {"order_id": f"o-{customer}", "value": 40, "currency": "EUR",
                     "items": [{"sku": "s", "category": category, "price": 40}]})


def customer(name: str, zone: str, *, consents: bool = True,
             category: str = "apparel") -> list[dict[str, Any]]:
    events = [profile(name, T, timezone=zone), purchase(name, category)]
    return events + ([consent(name, at=T)] if consents else [])


def audience(w: Any, segments: int) -> list[dict[str, Any]]:
    handler = w.handler("broadcast_audience")
    batches: list[dict[str, Any]] = []
    for segment in range(segments):
        result = handler({"broadcast": "autumn_range", "segment": segment,
                          "total_segments": segments}, LocalLambdaContext("audience"))
        batches += result["batches"]
    return batches


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "journeys")


def test_the_audience_is_every_member_once_across_segments_grouped_by_wave(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, project: Path) -> None:
    with world(monkeypatch, tmp_path, project, start=T) as w:
        w.ingest(*customer("hel", "Europe/Helsinki"), *customer("nyc", "America/New_York"),
                 *customer("tyo", "Asia/Tokyo"), *customer("books", "Europe/Helsinki",
                                                           category="books"),
                 *customer("hel2", "Europe/Helsinki", consents=False))
        batches = audience(w, segments=3)
    members = sorted(c for b in batches for c in b["customers"])
    assert members == ["hel", "hel2", "nyc", "tyo"]  # consent is the send path's to check
    due = {c: b["at"] for b in batches for c in b["customers"]}
    assert due == {"hel": "2026-11-05T08:00:00Z", "hel2": "2026-11-05T08:00:00Z",
                   "nyc": "2026-11-05T15:00:00Z", "tyo": "2026-11-05T01:00:00Z"}


def test_a_retried_batch_sends_nothing_twice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                              project: Path) -> None:
    with world(monkeypatch, tmp_path, project, start=T) as w:
        w.ingest(*customer("hel", "Europe/Helsinki"), *customer("hel2", "Europe/Helsinki"),
                 *customer("nope", "Europe/Helsinki", consents=False))
        w.clock.run_until(datetime(2026, 11, 5, 8, 0, tzinfo=UTC))
        send = w.handler("broadcast_send")
        batch = {"broadcast": "autumn_range", "at": "2026-11-05T08:00:00Z",
                 "customers": ["hel", "hel2", "nope"], "total_segments": 1}
        first = send(batch, LocalLambdaContext("send"))
        again = send(batch, LocalLambdaContext("send"))  # Step Functions' Retry
        other = send({**batch, "customers": ["hel2", "hel"]}, LocalLambdaContext("send"))
        assert first["sent"] == 2 and first["not_sent"] == {"no_consent": 1}
        assert again["sent"] == 2 and other["sent"] == 2  # the recorded outcomes, again
        assert len(ses_sent()) == 2
        record = w.state("hel").messages[msg_key("broadcast-autumn_range", "send")]
        assert record["journey"] == "autumn_range" and record["status"] == "sent"
        assert w.state("nope").messages[msg_key("broadcast-autumn_range", "send")][
            "reason"] == "no_consent"


def test_plan_against_the_table_sees_the_deployed_cap_counters(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, project: Path) -> None:
    from tact import runtime
    from tact.broadcast.commands import find, from_table, run_plan
    from tact.journey.project import load_project
    from tact.store.base import Put
    from tact.store.keys import cap_key

    with world(monkeypatch, tmp_path, project, start=T) as w:
        w.ingest(*customer("hel", "Europe/Helsinki"), *customer("busy", "Europe/Helsinki"),
                 *customer("silent", "Europe/Helsinki", consents=False))
        wave = int(datetime(2026, 11, 5, 8, 0, tzinfo=UTC).timestamp())
        # busy got a journey message an hour before the wave: at the 1-per-24h cap then.
        runtime.store().write("busy", [Put({"sk": cap_key("marketing", "any"),
                                            "sends": [wave - 3600], "version": 1})])
        loaded = load_project(project)
        broadcast = find(loaded, "autumn_range")
        states = from_table(runtime.store(), broadcast.segment, w.clock.now(), segments=3)
        plan = run_plan(loaded, broadcast, states, segments=3)
    assert (plan.audience, plan.sends) == (3, 1)
    assert dict(plan.excluded) == {"frequency_cap": 1, "no_consent": 1}


def test_a_customer_who_left_the_segment_since_the_audience_was_read_gets_nothing(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, project: Path) -> None:
    with world(monkeypatch, tmp_path, project, start=T) as w:
        w.ingest(*customer("hel", "Europe/Helsinki"), *customer("moved", "Europe/Helsinki"))
        batches = audience(w, segments=1)
        assert sorted(c for b in batches for c in b["customers"]) == ["hel", "moved"]
        # After the audience was read, "moved" spends much more on books: no longer apparel.
        w.ingest(envelope("moved-books", "purchase_completed", "moved", T,
                          {"order_id": "o-books", "value": 400, "currency": "EUR",
                           "items": [{"sku": "b", "category": "books", "price": 400}]}))
        result = w.handler("broadcast_send")({"broadcast": "autumn_range",
                                              "at": "2026-11-05T08:00:00Z",
                                              "customers": ["hel", "moved"]},
                                             LocalLambdaContext("send"))
        assert (result["sent"], result["left_segment"]) == (1, 1)
        assert [m["To"] if isinstance(m, dict) else m.destinations["ToAddresses"]
                for m in ses_sent()] == [["hel@example.com"]]
