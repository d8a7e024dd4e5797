"""Every key of the single table, built here and nowhere else (tact.store.items builds the items).

Partition key ``pk`` = ``C#<customer id>``: one Query reads a customer's whole partition.
Sort keys ``sk`` under it: ``PROFILE`` · ``CONSENT#<channel>#<purpose>`` ·
``SUPPRESSION#<channel>`` · ``CAP#<purpose>#<scope>`` · ``MSG#<execution>#<step>`` ·
``ENTRY#<journey>#<execution>`` · ``LAST#<event type>`` · ``EVENT#<event id>`` ·
``WAIT#<journey>#<execution>#<step>`` · ``LOG#<at>#<source>#<what>``.

The sparse lifecycle index (GSI ``gsi1``): only profiles of *active* customers carry
``gsi1pk`` = ``LASTPURCHASE#<n>`` (n = hash(customer) mod ``SHARDS``) and ``gsi1sk`` = the last
purchase time, so the daily job queries exactly who is due, never scanning. Shards spread the
purchase writes: one index partition key for every active customer would throttle at about
1,000 writes/s.
"""

from __future__ import annotations

import hashlib

PK_PREFIX = "C#"
PROFILE = "PROFILE"
# The kind of a sort key: what comes before its first "#".
CONSENT, SUPPRESSION, CAP, MSG = "CONSENT", "SUPPRESSION", "CAP", "MSG"
ENTRY, LAST, EVENT, WAIT, LOG = "ENTRY", "LAST", "EVENT", "WAIT", "LOG"
SHARDS = 8
INDEX_PREFIX = "LASTPURCHASE#"


def pk(customer_id: str) -> str:
    return f"{PK_PREFIX}{customer_id}"


def customer_of(partition_key: object) -> str | None:
    """The customer id of a partition key, or None for a key that is not a customer's."""
    text = str(partition_key)
    return text.removeprefix(PK_PREFIX) if text.startswith(PK_PREFIX) else None


def kind_of(sk: str) -> str:
    """``CONSENT`` for ``CONSENT#email#marketing``; ``PROFILE`` for ``PROFILE``."""
    return sk.partition("#")[0]


def msg_key(execution: str, step: str) -> str:
    return f"{MSG}#{execution}#{step}"


def consent_key(channel: str, purpose: str) -> str:
    return f"{CONSENT}#{channel}#{purpose}"


def cap_key(purpose: str, scope: str) -> str:
    return f"{CAP}#{purpose}#{scope}"


def entry_key(journey: str, execution: str) -> str:
    return f"{ENTRY}#{journey}#{execution}"


def last_key(event_type: str) -> str:
    return f"{LAST}#{event_type}"


def event_key(event_id: str) -> str:
    return f"{EVENT}#{event_id}"


def wait_key(journey: str, execution: str, step: str) -> str:
    """A parked ``wait_for`` task token: ingest resumes the execution on a matching event."""
    return f"{WAIT}#{journey}#{execution}#{step}"


def suppression_key(channel: str) -> str:
    return f"{SUPPRESSION}#{channel}"


def log_key(at: str, source: str, tail: str | int) -> str:
    """Log items sort by time: ``LOG#<at>#<execution or event id>#<n or what>``."""
    return f"{LOG}#{at}#{source}#{tail}"


def shard_of(customer_id: str) -> int:
    return int(hashlib.sha256(customer_id.encode()).hexdigest()[:8], 16) % SHARDS


def index_pk(shard: int) -> str:
    return f"{INDEX_PREFIX}{shard}"


def index_keys(customer_id: str, stage: str | None, last_purchase_at: str | None) -> dict[str, str]:
    """The GSI attributes a profile item carries: present only while the customer is active."""
    if stage != "active" or not last_purchase_at:
        return {}
    return {"gsi1pk": index_pk(shard_of(customer_id)), "gsi1sk": last_purchase_at}


def step_log_key(execution: str, step: str, what: str) -> str:
    """A step's own log item (``LOG#<execution>#<step>#<what>``): one per execution and step."""
    return f"{LOG}#{execution}#{step}#{what}"
