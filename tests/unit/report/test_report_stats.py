"""The report's significance test agrees with scipy.stats; the verdict refuses small samples."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tact.report.stats import Group, compare, two_proportion_z_test


@pytest.fixture(scope="module")
def scipy_stats() -> Any:
    """Imported when a test asks (about a second): collection stays fast for the other tests."""
    return pytest.importorskip("scipy.stats", reason="scipy is a dev dependency")


KNOWN_TABLES = [  # (control conversions, control n, treatment conversions, treatment n)
    (120, 1000, 150, 1000),
    (30, 500, 45, 520),
    (5, 50, 9, 48),
    (0, 200, 4, 200),
    (480, 4000, 510, 4100),
    (17, 17, 12, 20),
]


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), KNOWN_TABLES)
def test_p_value_agrees_with_scipy_chi2_on_known_tables(x1: int, n1: int, x2: int, n2: int,
                                                        scipy_stats: Any) -> None:
    z, p = two_proportion_z_test(x1, n1, x2, n2)
    chi2, p_ref, _, _ = scipy_stats.chi2_contingency([[x1, n1 - x1], [x2, n2 - x2]],
                                                     correction=False)
    assert p == pytest.approx(p_ref, rel=1e-9, abs=1e-15)
    assert z * z == pytest.approx(chi2, rel=1e-9)
    assert p == pytest.approx(2 * scipy_stats.norm.sf(abs(z)), rel=1e-9)


def test_hand_checked_reference() -> None:
    # 12% vs 15% of 1000 each: pooled 13.5%, se = sqrt(.135*.865*.002) = 0.015282, z = 1.9631
    z, p = two_proportion_z_test(120, 1000, 150, 1000)
    assert z == pytest.approx(1.9631, abs=1e-4)
    assert p == pytest.approx(0.04963, abs=1e-4)


@given(st.integers(1, 5000), st.integers(1, 5000), st.data())
def test_p_value_agrees_with_scipy_everywhere(scipy_stats: Any, n1: int, n2: int,
                                             data: st.DataObject) -> None:
    x1 = data.draw(st.integers(0, n1))
    x2 = data.draw(st.integers(0, n2))
    z, p = two_proportion_z_test(x1, n1, x2, n2)
    if (x1 + x2) in (0, n1 + n2):
        assert (z, p) == (0.0, 1.0)
        return
    _, p_ref, _, _ = scipy_stats.chi2_contingency([[x1, n1 - x1], [x2, n2 - x2]],
                                                  correction=False)
    assert math.isclose(p, p_ref, rel_tol=1e-7, abs_tol=1e-12)


def test_not_enough_data_below_the_minimum_sample() -> None:
    # a large difference, but 40 entries per group
    result = compare(Group("holdout", 40, 2), Group("journey", 40, 20), min_sample=100)
    assert result.winner is None
    assert result.verdict.startswith("not enough data")
    assert result.p_value is not None and result.p_value < 0.001  # still reported
    enough = compare(Group("holdout", 400, 20), Group("journey", 400, 200), min_sample=100)
    assert enough.winner == "journey"
    assert "converts better" in enough.verdict


def test_no_winner_when_not_significant() -> None:
    result = compare(Group("a", 1000, 100), Group("b", 1000, 105), min_sample=100)
    assert result.winner is None
    assert result.verdict.startswith("no significant difference")
    assert result.lift == pytest.approx(0.05)


def test_empty_group_is_not_enough_data() -> None:
    result = compare(Group("holdout", 0, 0), Group("journey", 500, 50))
    assert result.verdict.startswith("not enough data")
    with pytest.raises(ValueError, match="at least one entry"):
        two_proportion_z_test(0, 0, 1, 2)
