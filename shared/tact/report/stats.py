"""Two-proportion z-test and the plain-language verdict built on it.

Pooled two-sided z-test: the same p-value as a chi-squared test of the 2x2 table without
continuity correction (z squared is the chi-squared statistic). Standard library only, so
the Lambda that builds cloud reports needs no scipy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

DEFAULT_MIN_SAMPLE = 100  # per group, before any winner is named
DEFAULT_ALPHA = 0.05


@dataclass(frozen=True)
class Group:
    name: str
    entered: int
    converted: int

    @property
    def rate(self) -> float:
        return self.converted / self.entered if self.entered else 0.0


@dataclass(frozen=True)
class Comparison:
    control: Group
    treatment: Group
    z: float | None
    p_value: float | None
    lift: float | None  # relative: (treatment - control) / control
    verdict: str
    winner: str | None


def format_p(p: float | None) -> str:
    if p is None:
        return "-"
    return "< 0.0001" if p < 0.0001 else f"= {p:.4f}"


def two_proportion_z_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """(z, two-sided p) for H0: p1 == p2, with the pooled standard error."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both groups need at least one entry")
    if not (0 <= x1 <= n1 and 0 <= x2 <= n2):
        raise ValueError("conversions must be between 0 and the group size")
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance == 0:
        return 0.0, 1.0  # both all-or-nothing alike: no evidence of a difference
    z = (x2 / n2 - x1 / n1) / math.sqrt(variance)
    return z, math.erfc(abs(z) / math.sqrt(2))


def compare(control: Group, treatment: Group, min_sample: int = DEFAULT_MIN_SAMPLE,
            alpha: float = DEFAULT_ALPHA) -> Comparison:
    """Conversion rates, lift, p-value and a verdict that refuses to guess on little data."""
    lift = ((treatment.rate - control.rate) / control.rate) if control.rate else None
    if control.entered == 0 or treatment.entered == 0:
        return Comparison(control, treatment, None, None, lift,
                          "not enough data: a group has no entries yet", None)
    z, p = two_proportion_z_test(control.converted, control.entered,
                                 treatment.converted, treatment.entered)
    smallest = min(control.entered, treatment.entered)
    if smallest < min_sample:
        verdict = (f"not enough data: {smallest} entries in the smaller group, at least "
                   f"{min_sample} per group needed before calling a winner")
        return Comparison(control, treatment, z, p, lift, verdict, None)
    if p >= alpha:
        verdict = (f"no significant difference (p = {p:.3f} >= {alpha:g}); keep collecting "
                   "or treat the variants as equal")
        return Comparison(control, treatment, z, p, lift, verdict, None)
    better = treatment if treatment.rate > control.rate else control
    worse = control if better is treatment else treatment
    verdict = (f"{better.name} converts better: {better.rate:.1%} vs {worse.rate:.1%} "
               f"(p {format_p(p)}, below {alpha:g})")
    return Comparison(control, treatment, z, p, lift, verdict, better.name)


def difference_interval(control: Group, treatment: Group,
                        alpha: float = DEFAULT_ALPHA) -> tuple[float, float] | None:
    """Wald interval (unpooled) for treatment rate minus control rate, at 1 - alpha."""
    if control.entered == 0 or treatment.entered == 0:
        return None
    p1, p2 = control.rate, treatment.rate
    spread = math.sqrt(p1 * (1 - p1) / control.entered + p2 * (1 - p2) / treatment.entered)
    z = NormalDist().inv_cdf(1 - alpha / 2)
    diff = p2 - p1
    return diff - z * spread, diff + z * spread

