"""ab_split and holdout: deterministic per customer, and shares within 1.5 pp of the weights."""

from __future__ import annotations

import shutil
from pathlib import Path

from tact.journey.bundle import Bundle
from tact.journey.settings import Settings
from tact.journey_steps.buckets import bucket_position, in_holdout, pick
from tact.journey_steps.decide import DecideDeps, DecideRequest, decide
from tact.local.simulator import Simulation
from tact.store.memory import MemoryStore
from tests.support.paths import ROOT

N = 10_000


def _request(customer: str, weights: list[float]) -> DecideRequest:
    return DecideRequest(op="bucket", journey="promo", step="subject_test",
                         execution="x", customer_id=customer, weights=weights)


def test_ab_split_shares_over_ten_thousand_customers_are_within_one_and_a_half_points() -> None:
    weights = [50.0, 30.0, 20.0]
    # The assignment is also logged (analytics compare customers by variant).
    deps = DecideDeps(store=MemoryStore(), bundle=Bundle(settings=Settings(), journeys={},
                                                         templates={}))
    counts = [0, 0, 0]
    for n in range(N):
        counts[decide(_request(f"cust-{n}", weights), deps)["branch"]] += 1
    for count, weight in zip(counts, weights, strict=True):
        assert abs(count / N - weight / 100) < 0.015, counts


def test_holdout_share_over_ten_thousand_customers_is_within_one_and_a_half_points() -> None:
    members = sum(in_holdout("winback", f"cust-{n}", 0.10) for n in range(N))
    assert abs(members / N - 0.10) < 0.015, members


def test_buckets_are_reproducible_from_customer_and_journey_alone() -> None:
    first = [pick([1, 1], bucket_position("promo", "subject_test", f"c{n}")) for n in range(500)]
    again = [pick([1, 1], bucket_position("promo", "subject_test", f"c{n}")) for n in range(500)]
    assert first == again
    # Another journey (or split) shuffles customers independently of this one.
    other = [pick([1, 1], bucket_position("other", "subject_test", f"c{n}")) for n in range(500)]
    assert 150 < sum(a != b for a, b in zip(first, other, strict=True)) < 350
    # Holdout and ab_split do not use the same position (no correlated groups).
    holdout = [in_holdout("promo", f"c{n}", 0.5) for n in range(500)]
    assert 150 < sum(h != (b == 0) for h, b in zip(holdout, first, strict=True)) < 350


JOURNEY = """\
id: promo
name: Subject line test
trigger: {event: signup}
purpose: marketing
steps:
  - id: subject_test
    ab_split:
      - name: plain
        weight: 70
        steps:
          - send: {id: plain_subject, template: welcome_tips}
      - name: playful
        weight: 30
        steps:
          - send: {id: playful_subject, template: welcome_login}
"""


def test_ab_split_through_the_compiled_machine_matches_the_bucket_function(
        tmp_path: Path) -> None:
    shutil.copytree(ROOT / "journeys" / "examples" / "templates", tmp_path / "templates")
    shutil.copy(ROOT / "journeys" / "examples" / "settings.yaml", tmp_path / "settings.yaml")
    (tmp_path / "promo.yaml").write_text(JOURNEY, encoding="utf-8")
    customers = [f"c{n}" for n in range(40)]
    events = []
    for c in customers:
        # Address and consent first: the split and the send run as soon as the signup starts
        # the journey.
        events += [
            {"id": f"{c}-p", "type": "customer_updated", "customer_id": c,
             "time": "2026-11-02T09:58:00Z", "data": {"email": f"{c}@example.com"}},
            {"id": f"{c}-c", "type": "consent_changed", "customer_id": c,
             "time": "2026-11-02T09:59:00Z",
             "data": {"channel": "email", "purpose": "marketing", "granted": True}},
        ]
    events += [{"id": f"{c}-s", "type": "signup", "customer_id": c,
                "time": "2026-11-02T10:00:00Z", "data": {}} for c in customers]
    report = Simulation(tmp_path, store="memory",
                        functions_dir=ROOT / "functions").run(events)
    got = {m["customer_id"]: m["step"] for m in report.messages}
    expected = {c: ("plain_subject", "playful_subject")[
        pick([70, 30], bucket_position("promo", "subject_test", c))] for c in customers}
    assert got == expected
    assert set(got.values()) == {"plain_subject", "playful_subject"}
