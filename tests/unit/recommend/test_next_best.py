"""Next best products: co-purchases, recency and category; never bought, never off-catalog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tact.recommend.artifact import CatalogProduct
from tact.recommend.evaluate import fit_events, holdout
from tact.recommend.history import from_events
from tact.recommend.score import next_best, popularity

T0 = datetime(2026, 10, 1, tzinfo=UTC)


def buy(customer: str, day: float, *skus: str, n: int = 0) -> dict[str, Any]:
    at = T0 + timedelta(days=day)
    return {"id": f"{customer}-{day}-{n}", "type": "purchase_completed", "customer_id": customer,
            "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "data": {"order_id": f"{customer}-o{day}-{n}", "value": 10, "items": [
                {"sku": s, "name": s.title(), "category": s.split("-")[0], "price": 10}
                for s in skus]}}


def shop() -> list[dict[str, Any]]:
    """Runners buy shoes, then shorts; bakers buy a cookbook, then a mug; mugs sell most."""
    events = []
    for n in range(12):
        events += [buy(f"run{n}", 1, "sport-shoes"), buy(f"run{n}", 10, "sport-shorts")]
        events += [buy(f"bake{n}", 2, "book-cookbook"), buy(f"bake{n}", 12, "home-mug")]
    for n in range(30):
        events.append(buy(f"mug{n}", 20, "home-mug"))
    return events


def test_a_runner_is_offered_shorts_not_the_shoes_they_bought() -> None:
    events = [*shop(), buy("new", 25, "sport-shoes")]
    artifact = fit_events(events)
    history = from_events(events)["new"]
    best = next_best(artifact, history, T0 + timedelta(days=26))
    assert best[0]["sku"] == "sport-shorts"
    assert best[0] == {"sku": "sport-shorts", "name": "Sport-Shorts", "category": "sport",
                       "score": best[0]["score"]} and best[0]["score"] > 0
    assert "sport-shoes" not in [p["sku"] for p in best]
    # The popularity baseline offers the best seller, mugs, instead.
    assert popularity(artifact, history)[0] == "home-mug"


def test_products_nobody_carted_or_bought_lately_are_out_of_the_catalog() -> None:
    events = [*shop(), buy("new", 25, "sport-shoes")]
    late = T0 + timedelta(days=70)  # shoes and shorts last seen ~60 days before
    events.append(buy("later", 69, "home-mug"))
    artifact = fit_events(events, until=late)
    assert "sport-shorts" not in artifact.catalog and "home-mug" in artifact.catalog
    best = next_best(artifact, from_events(events)["new"], late)
    assert all(p["sku"] in artifact.catalog for p in best)
    assert "sport-shorts" not in [p["sku"] for p in best]


def test_recent_purchases_weigh_more_than_old_ones() -> None:
    events = [*shop(), buy("both", 0, "book-cookbook"), buy("both", 25, "sport-shoes")]
    artifact = fit_events(events)
    best = next_best(artifact, from_events(events)["both"], T0 + timedelta(days=26))
    skus = [p["sku"] for p in best]
    assert skus.index("sport-shorts") < skus.index("home-mug")


def test_the_category_the_customer_buys_in_ranks_first_among_equals() -> None:
    fitted = fit_events(shop())
    artifact = fitted.model_copy(update={
        "neighbours": {"sport-shoes": [("book-atlas", 0.5), ("sport-socks", 0.5)]},
        "catalog": {**fitted.catalog,
                    **{s: CatalogProduct(name=s, category=s.split("-")[0])
                       for s in ("book-atlas", "sport-socks")}}})
    history = from_events([buy("c", 1, "sport-shoes")])["c"]
    best = next_best(artifact, history, T0 + timedelta(days=2))
    assert [p["sku"] for p in best[:2]] == ["sport-socks", "book-atlas"]


def test_duplicates_count_once_and_a_full_refund_removes_its_order() -> None:
    first = buy("c", 1, "sport-shoes")
    refund = {"id": "r1", "type": "order_refunded", "customer_id": "c",
              "time": "2026-10-05T00:00:00Z",
              "data": {"order_id": first["data"]["order_id"], "value": 10, "full": True}}
    history = from_events([first, first, buy("c", 3, "home-mug"), refund])["c"]
    assert history.count == 1 and history.bought() == {"home-mug"}
    assert history.rfm(T0 + timedelta(days=13)) == (0, 0.0, 10.0)


def test_holdout_reports_both_baselines_on_the_same_customers() -> None:
    events = [*shop(), *[buy(f"late{n}", 40, "sport-shoes") for n in range(5)],
              *[buy(f"late{n}", 50, "sport-shorts") for n in range(5)],
              buy("other", 38, "sport-shorts")]  # still sold when the holdout starts
    report = holdout(events, holdout_days=5)
    assert report.next_best_customers == 5
    assert report.next_best_hit_rate_at_5 == 1.0  # shorts follow shoes
    assert report.buyers == len(from_events(events, until=T0 + timedelta(days=45)))
    assert report.base_rate_brier >= 0 and report.reliability


def test_a_fully_refunded_customer_loses_the_model_attributes() -> None:
    from tact.recommend.profile_scores import score_attributes

    events = shop()
    artifact = fit_events(events)
    first = buy("c", 1, "sport-shoes")
    refund = {"id": "r1", "type": "order_refunded", "customer_id": "c",
              "time": "2026-10-05T00:00:00Z",
              "data": {"order_id": first["data"]["order_id"], "value": 10, "full": True}}
    bought = from_events([first])["c"]
    assert score_attributes(artifact, bought, T0 + timedelta(days=2))["next_best_products"]
    assert "c" not in from_events([first, refund])
    bought.count = 0  # as the profile's order count says after the full refund
    assert score_attributes(artifact, bought, T0 + timedelta(days=5)) == {}
