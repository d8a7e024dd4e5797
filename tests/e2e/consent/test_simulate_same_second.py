"""Acceptance 3 of issue 13: `tact simulate` of a grant and a revoke of one customer's email
marketing consent in the same second sends no marketing message, whatever their ids and
whatever their order in the file (the withdrawal wins a tie). With the grant alone, the
same file sends the reminder: the check is not vacuous."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tact.cli import app

PROFILE = {"id": "p-1", "type": "customer_updated", "customer_id": "ana",
           "time": "2026-11-02T08:00:00Z",
           "data": {"email": "ana@example.com", "timezone": "Europe/Berlin"}}
CART = {"id": "cart-1", "type": "cart_updated", "customer_id": "ana",
        "time": "2026-11-02T09:00:05Z",
        "data": {"cart_id": "c1", "value": 40, "currency": "EUR",
                 "items": [{"sku": "S1", "name": "Mug", "price": 40, "quantity": 1}]}}


def consent(event_id: str, granted: bool, time: str) -> dict[str, Any]:
    return {"id": event_id, "type": "consent_changed", "customer_id": "ana", "time": time,
            "data": {"channel": "email", "purpose": "marketing", "granted": granted,
                     "source": "shop"}}


def simulate(tmp_path: Path, events: list[dict[str, Any]], store: str) -> dict[str, Any]:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    result = CliRunner().invoke(app, ["simulate", "--events", str(path), "--json",
                                      "--store", store,
                                      "--save-run", str(tmp_path / "run.json")])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


@pytest.mark.parametrize("store", ["moto", "memory"])
@pytest.mark.parametrize("ids", [("0-grant", "f-revoke"), ("f-grant", "0-revoke"),
                                 ("a7e1c0de-99", "a7e1c0de-11")])
@pytest.mark.parametrize("revoke_first_in_file", [True, False])
@pytest.mark.parametrize("times", [("09:00:00Z", "09:00:00Z"), ("09:00:00.900Z", "09:00:00.100Z"),
                                   ("09:00:00.100Z", "09:00:00.900Z")])
def test_a_grant_and_a_revoke_in_the_same_second_send_nothing(
        tmp_path: Path, store: str, ids: tuple[str, str], revoke_first_in_file: bool,
        times: tuple[str, str]) -> None:
    grant = consent(ids[0], True, f"2026-11-02T{times[0]}")
    revoke = consent(ids[1], False, f"2026-11-02T{times[1]}")
    pair = [revoke, grant] if revoke_first_in_file else [grant, revoke]
    report = simulate(tmp_path, [PROFILE, *pair, CART], store)
    assert report["messages"] == []
    assert any(s["reason"] == "no_consent" for s in report["suppressed"]), report["suppressed"]


@pytest.mark.parametrize("store", ["moto", "memory"])
def test_the_grant_alone_sends_the_reminder(tmp_path: Path, store: str) -> None:
    report = simulate(tmp_path, [PROFILE, consent("g", True, "2026-11-02T09:00:00Z"), CART],
                      store)
    assert [m["step"] for m in report["messages"]][:1] == ["reminder_1"]
