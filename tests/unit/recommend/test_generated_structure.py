"""`tact generate-events` has structure worth learning, and the models learn it."""

from __future__ import annotations

from dataclasses import replace

from tact.generate import TrafficModel, generate
from tact.recommend.evaluate import holdout


def test_models_beat_their_baselines_on_generated_history() -> None:
    report = holdout(generate(3000, 60, seed=2), holdout_days=14)
    assert report.next_best_customers > 100
    assert report.next_best_hit_rate_at_5 > report.popularity_hit_rate_at_5 + 0.1
    assert report.propensity_brier < report.base_rate_brier


def test_without_co_purchase_structure_next_best_has_nothing_to_find() -> None:
    flat = replace(TrafficModel(), style_affinity=0.0)
    report = holdout(generate(3000, 60, seed=2, model=flat), holdout_days=14)
    assert abs(report.next_best_hit_rate_at_5 - report.popularity_hit_rate_at_5) < 0.08
