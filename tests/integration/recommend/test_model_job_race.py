"""The daily refresh never loses a purchase that lands while the job runs: its write is
conditional on the profile version it read; on conflict it re-reads and recomputes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moto import mock_aws

from tact import aws
from tact.recommend.job import run_model_job
from tact.store.base import Put, Write
from tact.store.keys import PROFILE
from tact.store.memory import MemoryStore

NOW = datetime(2026, 11, 20, 3, 45, tzinfo=UTC)


def _order(n: int, day: int, sku: str) -> dict[str, Any]:
    return {"id": f"o{n}", "time": f"2026-11-{day:02d}T10:00:00Z",
            "data": {"order_id": f"o{n}", "items": [{"sku": sku, "category": "c"}]}}


class PurchaseDuringRefresh(MemoryStore):
    """Ingest lands a purchase for ``racer`` just before the job's first write of them."""

    def __init__(self, racer: str) -> None:
        super().__init__()
        self.racer, self.raced, self.armed = racer, False, False

    def write(self, customer_id: str, writes: list[Write]) -> None:
        if self.armed and customer_id == self.racer and not self.raced:
            self.raced = True
            item = next(i for i in self.read_customer(customer_id, NOW) if i["sk"] == PROFILE)
            attrs = {**item["attrs"], "order_count": {"v": 3, "at": "2026-11-20T03:44:00Z"},
                     "last_purchase_at": {"v": "2026-11-20T03:44:00Z",
                                          "at": "2026-11-20T03:44:00Z"}}
            version = int(item["version"])
            super().write(customer_id, [Put({**item, "attrs": attrs, "version": version + 1},
                                            expect=version)])
        super().write(customer_id, writes)


def test_a_purchase_during_the_refresh_is_kept_and_scored(monkeypatch: Any) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    store = PurchaseDuringRefresh("c07")
    for n in range(30):
        attrs = {"order_count": {"v": 2, "at": "2026-11-10T10:00:00Z"},
                 "first_purchase_at": {"v": "2026-11-01T10:00:00Z", "at": "x"},
                 "last_purchase_at": {"v": f"2026-11-{1 + n % 15:02d}T10:00:00Z", "at": "x"}}
        store.write(f"c{n:02d}", [
            Put({"sk": PROFILE, "attrs": attrs, "version": 1}),
            Put({"sk": "LAST#purchase_completed", "version": 1,
                 "events": [_order(2, 1 + n % 15, "B"), _order(1, 1, "A")]})])
    store.armed = True
    with mock_aws():
        aws.reset()
        aws.client("s3").create_bucket(Bucket="models")
        result = run_model_job(store, "models", "models/nbp/", NOW)
        aws.reset()
    assert store.raced and result.refreshed == 30 and result.gave_up == 0
    racer = next(i for i in store.read_customer("c07", NOW) if i["sk"] == PROFILE)
    assert racer["attrs"]["order_count"]["v"] == 3  # the purchase was not overwritten
    assert racer["version"] == 3  # seeded 1, the purchase 2, the refresh 3
    others = next(i for i in store.read_customer("c08", NOW) if i["sk"] == PROFILE)
    # The racer's scores were computed from the state after the purchase: more repeat
    # purchases and a last purchase minutes ago make a purchase likelier than for c08.
    assert racer["attrs"]["purchase_propensity_30d"]["v"] > \
        others["attrs"]["purchase_propensity_30d"]["v"]
    assert racer["attrs"]["next_best_products"]["at"] == "2026-11-20T03:45:00Z"
