"""Fit the artifact from purchase histories: item-to-item similarity and BG/NBD.

numpy and scipy are imported here only: this module runs in the model job's function, in
``tact backtest --holdout-days`` and before ``tact simulate``, never in ingest or send.

BG/NBD is fitted by maximum likelihood on the published log-likelihood (Fader, Hardie &
Lee 2005, eq. 6), with scipy's L-BFGS-B over the logarithms of (r, alpha, a, b):

    ln L = ln Gamma(r + x) - ln Gamma(r) + r ln alpha + ln B(a, b + x) - ln B(a, b)
           + ln[(alpha + T)^-(r+x) + [x > 0] · a / (b + x - 1) · (alpha + t_x)^-(r+x)]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln

from tact.clock import iso
from tact.recommend.artifact import TOP_K, Artifact, BgNbd, CatalogProduct
from tact.recommend.history import DAY, Product, Purchases

MIN_BUYERS = 20  # fewer buyers than this: no BG/NBD (four parameters need data)
CATALOG_DAYS = 30  # a product nobody carted or bought for this long is out of the catalog
PAIR_HALF_LIFE_DAYS = 90.0  # older co-purchases count less
SHRINK = 3.0  # similarity of rarely co-bought pairs is shrunk towards 0
POPULAR_KEPT = 50


def fit(purchases: Mapping[str, Purchases], until: datetime, fitted_at: datetime,
        seen: Mapping[str, tuple[Product, datetime]] | None = None) -> Artifact:
    """The artifact for histories up to ``until``; ``seen``: each product's newest sighting
    (cart or order) — the catalog; without it, the orders alone are the evidence."""
    sightings = dict(seen) if seen is not None else sightings_of(purchases.values())
    catalog = {sku: CatalogProduct(name=p.name, category=p.category)
               for sku, (p, at) in sorted(sightings.items())
               if at >= until - timedelta(days=CATALOG_DAYS)}
    buyers = [p for p in purchases.values() if p.rfm(until) is not None]
    artifact = Artifact(
        fitted_at=iso(fitted_at), data_until=iso(until), customers=len(buyers),
        orders=sum(p.count for p in buyers), bgnbd=fit_bgnbd(p.rfm(until) for p in buyers),
        catalog=catalog, neighbours=similarity(purchases.values(), until, set(catalog)),
        popular=popular(purchases.values(), until, set(catalog)))
    return artifact.with_version(fitted_at)


def sightings_of(histories: Iterable[Purchases]) -> dict[str, tuple[Product, datetime]]:
    newest: dict[str, tuple[Product, datetime]] = {}
    for history in histories:
        for order in history.orders:
            for product in order.items:
                if product.sku not in newest or order.at >= newest[product.sku][1]:
                    newest[product.sku] = (product, order.at)
    return newest


def _recency(at: datetime, until: datetime) -> float:
    return 0.5 ** (max((until - at).total_seconds(), 0.0) / (PAIR_HALF_LIFE_DAYS * DAY))


def similarity(histories: Iterable[Purchases], until: datetime,
               catalog: set[str]) -> dict[str, list[tuple[str, float]]]:
    """For each product, the ``TOP_K`` catalog products most often bought with or after it.

    Counted once per customer (a customer's first purchase of each product), ordered: j
    follows i when j was bought in the same order as i or later. Cosine-normalised by how
    many customers bought each, shrunk for pairs seen rarely, recent pairs weighted more.
    """
    buyers: dict[str, int] = {}
    pairs: dict[str, dict[str, float]] = {}
    for history in histories:
        first: dict[str, datetime] = {}
        for order in history.orders:
            for product in order.items:
                first.setdefault(product.sku, order.at)
        for sku in first:
            buyers[sku] = buyers.get(sku, 0) + 1
        for i, t_i in first.items():
            row = pairs.setdefault(i, {})
            for j, t_j in first.items():
                if j != i and t_j >= t_i:
                    row[j] = row.get(j, 0.0) + _recency(t_j, until)
    table: dict[str, list[tuple[str, float]]] = {}
    for i, row in pairs.items():
        scored = [(c / math.sqrt(buyers[i] * buyers[j]) * c / (c + SHRINK), j)
                  for j, c in row.items() if j in catalog]
        scored.sort(key=lambda s: (-s[0], s[1]))
        if scored:
            table[i] = [(j, round(s, 6)) for s, j in scored[:TOP_K]]
    return table


def popular(histories: Iterable[Purchases], until: datetime, catalog: set[str]) -> list[str]:
    """Catalog products by recency-weighted number of buyers."""
    weight: dict[str, float] = {}
    for history in histories:
        newest: dict[str, datetime] = {}
        for order in history.orders:
            for product in order.items:
                newest[product.sku] = order.at
        for sku, at in newest.items():
            if sku in catalog:
                weight[sku] = weight.get(sku, 0.0) + _recency(at, until)
    return [sku for sku, _ in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))][
        :POPULAR_KEPT]


def log_likelihood(params: np.ndarray, x: np.ndarray, t_x: np.ndarray,
                   big_t: np.ndarray) -> np.ndarray:
    """Each customer's BG/NBD log-likelihood (FHL 2005, eq. 6)."""
    r, alpha, a, b = params
    head = (gammaln(r + x) - gammaln(r) + r * np.log(alpha)
            + betaln(a, b + x) - betaln(a, b))
    rest = -(r + x) * np.log(alpha + big_t)
    repeat = x > 0
    dropped = np.full_like(rest, -np.inf)
    dropped[repeat] = (np.log(a) - np.log(b + x[repeat] - 1)
                       - (r + x[repeat]) * np.log(alpha + t_x[repeat]))
    return head + np.logaddexp(rest, dropped)


def fit_bgnbd(rfm: Iterable[tuple[int, float, float] | None]) -> BgNbd | None:
    rows = [r for r in rfm if r is not None]
    if len(rows) < MIN_BUYERS or not any(x > 0 for x, _, _ in rows):
        return None
    data = np.array(rows, dtype=float)
    x, t_x, big_t = data[:, 0], data[:, 1], data[:, 2]

    def loss(log_params: np.ndarray) -> float:
        value = -log_likelihood(np.exp(log_params), x, t_x, big_t).mean()
        return float(value) if np.isfinite(value) else 1e10

    result = minimize(loss, np.zeros(4), method="L-BFGS-B", bounds=[(-10.0, 10.0)] * 4)
    r, alpha, a, b = (float(v) for v in np.exp(result.x))
    return BgNbd(r=r, alpha=alpha, a=a, b=b)
