"""Measured before trusted: hold out the last days of a history, fit on the rest, compare.

* Next best: among customers who bought before the cutoff and bought something new to them
  in the holdout, the share whose top 5 contains one of those products (hit rate@5), against
  the most popular products (the same exclusions: nothing they had bought).
* Propensity: each buyer's predicted P(purchase within the holdout's length) against whether
  they bought in it; Brier score and a reliability table, against the best constant
  (the holdout's own purchase rate among the same customers, a deliberately strong baseline).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tact.clock import iso, parse_iso
from tact.recommend.artifact import Artifact
from tact.recommend.fit import fit
from tact.recommend.history import Product, from_events
from tact.recommend.score import next_best, popularity, propensity

TOP = 5
BINS = 10


@dataclass
class ReliabilityBin:
    low: float
    high: float
    customers: int
    mean_predicted: float
    observed_rate: float


@dataclass
class HoldoutReport:
    cutoff: str
    end: str
    holdout_days: float
    buyers: int  # customers with a purchase before the cutoff (the propensity's population)
    next_best_customers: int  # of those, who bought something new to them in the holdout
    next_best_hit_rate_at_5: float
    popularity_hit_rate_at_5: float
    propensity_brier: float
    base_rate_brier: float
    base_rate: float
    reliability: list[ReliabilityBin] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def sightings(events: Iterable[Mapping[str, Any]],
              until: datetime) -> dict[str, tuple[Product, datetime]]:
    """Each product's newest appearance in a cart or an order before ``until``."""
    newest: dict[str, tuple[Product, datetime]] = {}
    for event in events:
        if event.get("type") not in ("cart_updated", "checkout_started", "purchase_completed"):
            continue
        at = parse_iso(str(event["time"]))
        if at >= until:
            continue
        for item in (event.get("data") or {}).get("items") or []:
            sku = item.get("sku") if isinstance(item, Mapping) else None
            if isinstance(sku, str) and sku and (sku not in newest or at >= newest[sku][1]):
                newest[sku] = (Product(sku, str(item.get("name") or ""),
                                       str(item.get("category") or "")), at)
    return newest


def fit_events(events: Sequence[Mapping[str, Any]], until: datetime | None = None,
               fitted_at: datetime | None = None) -> Artifact:
    """The artifact an events file yields (``tact simulate`` and the holdout both use it)."""
    end = until or _end(events)
    return fit(from_events(events, until=end), end, fitted_at or end, sightings(events, end))


def _end(events: Iterable[Mapping[str, Any]]) -> datetime:
    times = [str(e["time"]) for e in events if e.get("time")]
    if not times:
        raise ValueError("no events with a time")
    return parse_iso(max(times)) + timedelta(seconds=1)


class NothingToMeasure(ValueError):
    """No customer bought before the holdout began."""


def holdout_file(path: Path, holdout_days: float) -> tuple[HoldoutReport, list[dict[str, Any]]]:
    """The holdout of a history file or folder (as ``tact backtest`` reads them), with the
    lines that are not valid events (file, line, reason)."""
    from tact.backtest.history import read_history
    from tact.models.events import EventError, parse_event

    history = read_history(path)
    rejected = list(history.rejected)
    events: list[Mapping[str, Any]] = []
    for located in history.events:
        try:
            parse_event(located.raw)
        except EventError as err:
            rejected.append({"file": located.source, "line": located.line,
                             "reason": err.reason})
            continue
        events.append(located.raw)
    if not events:
        raise NothingToMeasure(f"{path}: no valid events")
    return holdout(events, holdout_days), rejected


def holdout(events: list[Mapping[str, Any]], holdout_days: float,
            end: datetime | None = None) -> HoldoutReport:
    end = end or _end(events)
    cutoff = end - timedelta(days=holdout_days)
    train = from_events(events, until=cutoff)
    if not train:
        raise NothingToMeasure(f"nobody bought before {iso(cutoff)}, {holdout_days:g} days "
                               "before the history ends: hold out fewer days")
    later = from_events(events, until=end)
    artifact = fit(train, cutoff, cutoff, sightings(events, cutoff))
    predictions: list[tuple[float, int]] = []
    hits = popular_hits = judged = 0
    for customer, history in sorted(train.items()):
        after = [o for o in later[customer].orders if o.at >= cutoff]
        scored = propensity(artifact, history, cutoff, holdout_days)
        if scored is not None:
            predictions.append((scored[0], 1 if after else 0))
        new = {p.sku for o in after for p in o.items} - history.bought()
        if not new:
            continue
        judged += 1
        hits += any(p["sku"] in new for p in next_best(artifact, history, cutoff, TOP))
        popular_hits += any(sku in new for sku in popularity(artifact, history, TOP))
    base = sum(y for _, y in predictions) / len(predictions) if predictions else 0.0
    return HoldoutReport(
        cutoff=iso(cutoff), end=iso(end), holdout_days=holdout_days, buyers=len(predictions),
        next_best_customers=judged,
        next_best_hit_rate_at_5=hits / judged if judged else 0.0,
        popularity_hit_rate_at_5=popular_hits / judged if judged else 0.0,
        propensity_brier=_brier(predictions),
        base_rate_brier=_brier([(base, y) for _, y in predictions]),
        base_rate=base, reliability=reliability(predictions),
        model={"version": artifact.version, "customers": artifact.customers,
               "catalog": len(artifact.catalog),
               "bgnbd": artifact.bgnbd.model_dump() if artifact.bgnbd else None})


def _brier(predictions: list[tuple[float, int]]) -> float:
    if not predictions:
        return 0.0
    return sum((p - y) ** 2 for p, y in predictions) / len(predictions)


def reliability(predictions: list[tuple[float, int]], bins: int = BINS) -> list[ReliabilityBin]:
    """Predictions in equal-width bins: does a predicted 30 % come true 30 % of the time?"""
    table: list[ReliabilityBin] = []
    for n in range(bins):
        low, high = n / bins, (n + 1) / bins
        inside = [(p, y) for p, y in predictions
                  if low <= p < high or (n == bins - 1 and p == 1.0)]
        if inside:
            table.append(ReliabilityBin(low, high, len(inside),
                                        sum(p for p, _ in inside) / len(inside),
                                        sum(y for _, y in inside) / len(inside)))
    return table
