"""BG/NBD: the published likelihood, fitted by maximum likelihood, applied in pure Python."""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tact.recommend.artifact import BgNbd
from tact.recommend.score import p_alive, p_purchase

# Fader, Hardie & Lee (2005), CDNOW sample: the estimates their paper reports (weeks).
CDNOW = BgNbd(r=0.243, alpha=4.414, a=0.793, b=2.426)


@pytest.fixture(scope="module")
def fit() -> Any:
    """tact.recommend.fit (scipy.optimize: over a second to import), when a test asks: the
    other tests of the tier are collected without it."""
    import tact.recommend.fit

    return tact.recommend.fit


def _likelihood_by_hand(p: BgNbd, x: int, t_x: float, big_t: float) -> float:
    """FHL 2005 eq. 6, written out without logs (small x only)."""
    a1 = math.gamma(p.r + x) * p.alpha ** p.r / math.gamma(p.r)
    a2 = (math.gamma(p.a + p.b) * math.gamma(p.b + x)
          / (math.gamma(p.b) * math.gamma(p.a + p.b + x)))
    a3 = (1 / (p.alpha + big_t)) ** (p.r + x)
    a4 = (p.a / (p.b + x - 1)) * (1 / (p.alpha + t_x)) ** (p.r + x) if x > 0 else 0.0
    return a1 * a2 * (a3 + a4)


@pytest.mark.parametrize(("x", "t_x", "big_t"), [(0, 0.0, 38.9), (1, 2.0, 30.0),
                                                 (4, 20.5, 39.0), (7, 35.0, 36.0)])
def test_log_likelihood_is_the_published_formula(x: int, t_x: float, big_t: float,
                                                 fit: Any) -> None:
    params = np.array([CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b])
    got = fit.log_likelihood(params, np.array([x], float), np.array([t_x]), np.array([big_t]))[0]
    assert got == pytest.approx(math.log(_likelihood_by_hand(CDNOW, x, t_x, big_t)), rel=1e-9)


def _simulate(params: BgNbd, customers: int, big_t: float,
              seed: int) -> list[tuple[int, float, float]]:
    """Customers drawn from the BG/NBD story itself: gamma rates, dropout after purchases."""
    rng = random.Random(seed)
    rows = []
    for _ in range(customers):
        rate = rng.gammavariate(params.r, 1 / params.alpha)
        dropout = rng.betavariate(params.a, params.b)
        t, x, last = 0.0, 0, 0.0
        while True:
            t += rng.expovariate(rate) if rate > 0 else math.inf
            if t > big_t:
                break
            x, last = x + 1, t
            if rng.random() < dropout:
                break
        rows.append((x, last, big_t))
    return rows


def test_fit_recovers_the_parameters_it_was_simulated_with(fit: Any) -> None:
    rows = _simulate(CDNOW, 6000, 39.0, seed=3)
    fitted = fit.fit_bgnbd(rows)
    assert fitted is not None
    # Predictions are what matter (parameters trade off): compare them on typical customers.
    for x, t_x in [(0, 0.0), (1, 5.0), (3, 30.0), (6, 38.0)]:
        assert p_purchase(fitted, x, t_x, 39.0, 4.0) == pytest.approx(
            p_purchase(CDNOW, x, t_x, 39.0, 4.0), abs=0.03)
        assert p_alive(fitted, x, t_x, 39.0) == pytest.approx(
            p_alive(CDNOW, x, t_x, 39.0), abs=0.06)


def test_too_few_buyers_fit_nothing(fit: Any) -> None:
    assert fit.fit_bgnbd([(1, 2.0, 10.0)] * 5) is None
    assert fit.fit_bgnbd([(0, 0.0, 10.0)] * 100) is None  # nobody bought twice: nothing to learn


def test_p_alive_matches_the_paper_and_falls_with_silence() -> None:
    assert p_alive(CDNOW, 0, 0.0, 30.0) == 1.0  # BG/NBD: no repeat purchase, no dropout yet
    recent = p_alive(CDNOW, 3, 29.0, 30.0)
    silent = p_alive(CDNOW, 3, 5.0, 30.0)
    assert 0 < silent < recent < 1


@given(x=st.integers(0, 50), t_x=st.floats(0, 300), gap=st.floats(0, 300),
       horizon=st.floats(0.5, 90))
def test_purchase_probability_is_a_probability_below_p_alive(x: int, t_x: float, gap: float,
                                                             horizon: float) -> None:
    t_x = t_x if x else 0.0
    alive = p_alive(CDNOW, x, t_x, t_x + gap)
    buy = p_purchase(CDNOW, x, t_x, t_x + gap, horizon)
    assert 0.0 <= buy <= alive <= 1.0
    assert p_purchase(CDNOW, x, t_x, t_x + gap, horizon * 2) >= buy  # longer window, likelier
