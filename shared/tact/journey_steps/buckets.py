"""A customer's fixed bucket per journey and split: A/B branches and holdout membership.

Pure functions of journey, salt and customer id, so ingest, decide and reports agree anywhere.
"""

from __future__ import annotations

import hashlib

CONTROL, TREATMENT = 0, 1


def bucket_position(journey: str, salt: str, customer_id: str) -> float:
    """A customer's fixed place in [0, 1) for one journey and one split: reproducible anywhere."""
    digest = hashlib.sha256(f"{journey}|{salt}|{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def pick(weights: list[float], position: float) -> int:
    total = sum(weights)
    edge = 0.0
    for index, weight in enumerate(weights):
        edge += weight / total
        if position < edge:
            return index
    return len(weights) - 1


def in_holdout(journey: str, customer_id: str, share: float) -> bool:
    return bucket_position(journey, "holdout", customer_id) < share
