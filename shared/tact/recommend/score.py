"""Apply a fitted artifact to one customer: pure Python, cheap enough for every purchase.

Propensity (BG/NBD, Fader, Hardie & Lee 2005, eq. 2 and appendix): with x repeat purchases,
the last at t_x days after the first, and T days since the first,

* P(alive) = 1 / (1 + [x > 0] · a / (b + x - 1) · ((alpha + T) / (alpha + t_x))^(r + x))
* while alive the rate's posterior is Gamma(r + x, alpha + T), and a customer can only drop out
  right after a purchase, so P(at least one purchase in the next t days)
  = P(alive) · (1 - ((alpha + T) / (alpha + T + t))^(r + x)).

``churn_risk`` is 1 - P(alive).

Next best products: for each product the customer bought, its neighbours in the similarity
table, weighted by how recent that purchase is (half-life ``recency_half_life_days``) and
boosted by the customer's share of purchases in the neighbour's category; popular catalog
products fill the list when the neighbours run out. Never a product of the customer's kept
orders (what they just bought), never a product outside the catalog.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tact.recommend.artifact import Artifact, BgNbd
from tact.recommend.history import DAY, Purchases

POPULAR_WEIGHT = 0.01  # fills the list without outranking any co-purchase evidence


def p_alive(params: BgNbd, x: int, t_x: float, big_t: float) -> float:
    if x == 0:
        return 1.0
    ratio = (params.alpha + big_t) / (params.alpha + t_x)
    odds = params.a / (params.b + x - 1) * ratio ** (params.r + x)
    return 1.0 / (1.0 + odds)


def p_purchase(params: BgNbd, x: int, t_x: float, big_t: float, horizon: float) -> float:
    """P(at least one purchase within ``horizon`` days after T)."""
    none_if_alive = ((params.alpha + big_t) / (params.alpha + big_t + horizon)) ** (params.r + x)
    return p_alive(params, x, t_x, big_t) * (1.0 - none_if_alive)


def propensity(artifact: Artifact, purchases: Purchases, as_of: datetime,
               horizon_days: float | None = None) -> tuple[float, float] | None:
    """(P(purchase within the horizon), churn risk), or None without a model or a purchase."""
    rfm = purchases.rfm(as_of)
    if artifact.bgnbd is None or rfm is None:
        return None
    x, t_x, big_t = rfm
    horizon = float(horizon_days if horizon_days is not None else artifact.horizon_days)
    alive = p_alive(artifact.bgnbd, x, t_x, big_t)
    return p_purchase(artifact.bgnbd, x, t_x, big_t, horizon), 1.0 - alive


def next_best(artifact: Artifact, purchases: Purchases, as_of: datetime,
              count: int = 5) -> list[dict[str, Any]]:
    """Up to ``count`` products as ``{sku, name, category, score}``, best first."""
    bought = purchases.bought()
    categories: dict[str, float] = {}
    scores: dict[str, float] = {}
    half_life = artifact.recency_half_life_days * DAY
    for order in purchases.orders:
        age = max((as_of - order.at).total_seconds(), 0.0)
        weight = 0.5 ** (age / half_life)
        for product in order.items:
            if product.category:
                categories[product.category] = categories.get(product.category, 0.0) + weight
            for sku, similarity in artifact.neighbours.get(product.sku, ()):
                scores[sku] = scores.get(sku, 0.0) + weight * similarity
    total = sum(categories.values()) or 1.0
    popular = artifact.popular
    for rank, sku in enumerate(popular):
        scores[sku] = scores.get(sku, 0.0) + POPULAR_WEIGHT * (len(popular) - rank) / len(popular)
    ranked: list[tuple[float, str]] = []
    for sku, score in scores.items():
        offered = artifact.catalog.get(sku)
        if offered is None or sku in bought:
            continue
        boost = 1.0 + artifact.category_boost * categories.get(offered.category, 0.0) / total
        ranked.append((-score * boost, sku))
    ranked.sort()
    return [{"sku": sku, "name": artifact.catalog[sku].name,
             "category": artifact.catalog[sku].category, "score": round(-neg, 4)}
            for neg, sku in ranked[:count]]


def popularity(artifact: Artifact, purchases: Purchases, count: int = 5) -> list[str]:
    """The baseline: the most bought catalog products, minus what the customer bought."""
    bought = purchases.bought()
    return [sku for sku in artifact.popular if sku not in bought][:count]
