"""The sparse lifecycle index (GSI ``gsi1``): who is active, by last purchase time.

Only profiles of *active* customers carry ``gsi1pk``/``gsi1sk``; a profile leaves the index
when it becomes lapsed (and re-enters with its next purchase). So the daily job reads exactly
the customers who are due — everything in the index with a last purchase before the cutoff —
with one Query per shard, never a Scan, and a missed day is caught up by the next run.

Why shards: one index partition key for every active customer would put all purchase
writes on a single GSI partition (about 1,000 writes/s before it throttles and back-pressures
the table). The key is ``LASTPURCHASE#<n>``, n = hash(customer) mod ``SHARDS``.
"""

from __future__ import annotations

import hashlib

SHARDS = 8
INDEX_PREFIX = "LASTPURCHASE#"


def shard_of(customer_id: str) -> int:
    return int(hashlib.sha256(customer_id.encode()).hexdigest()[:8], 16) % SHARDS


def index_pk(shard: int) -> str:
    return f"{INDEX_PREFIX}{shard}"


def index_keys(customer_id: str, stage: str | None, last_purchase_at: str | None) -> dict[str, str]:
    """The GSI attributes a profile item carries: present only while the customer is active."""
    if stage != "active" or not last_purchase_at:
        return {}
    return {"gsi1pk": index_pk(shard_of(customer_id)), "gsi1sk": last_purchase_at}
