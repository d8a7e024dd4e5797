"""A customer's history from their partition: messages (sent or not, and why), consent
decisions with their sources, suppressions, journey decisions. Used by ``tact history``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tact.customer import plain
from tact.store import keys

LAST_RUN = Path(".tact/last-run.json")


@dataclass(frozen=True)
class HistoryRow:
    at: str
    kind: str  # message | consent | suppression | journey
    what: str  # sent / suppressed / unknown · granted / revoked · bounce / complaint · started
    channel: str = ""
    journey: str = ""
    step: str = ""
    detail: str = ""


def history(items: list[dict[str, Any]]) -> list[HistoryRow]:
    rows: list[HistoryRow] = []
    for item in items:
        sk = str(item.get("sk", ""))
        kind = sk.split("#", 1)[0]
        if kind == keys.MSG:
            notes = "; ".join(item.get("notes") or [])
            detail = "; ".join(x for x in (item.get("reason") or "", notes,
                                           item.get("detail") or "") if x)
            rows.append(HistoryRow(str(item["at"]), "message", str(item["status"]),
                                   str(item.get("channel") or ""), str(item.get("journey", "")),
                                   str(item.get("step", "")), detail))
        elif kind == keys.CONSENT:
            _, channel, purpose = sk.split("#", 2)
            for entry in item.get("history") or [item]:
                detail = f"{purpose} via {entry.get('source')}"
                if entry.get("received_at") and entry.get("received_at") != entry["at"]:
                    detail += f", received {entry['received_at']}"
                if entry.get("applied") is False:
                    detail += ", superseded (a later or withdrawing decision stands)"
                rows.append(HistoryRow(str(entry["at"]), "consent",
                                       "granted" if entry.get("granted") else "revoked",
                                       channel, detail=detail))
        elif kind == keys.SUPPRESSION:
            channel = sk.split("#", 1)[1]
            for entry in item.get("history") or [item]:
                rows.append(HistoryRow(str(entry.get("at", "")), "suppression",
                                       str(entry.get("reason", "")), channel,
                                       str(entry.get("journey") or ""),
                                       str(entry.get("step") or ""),
                                       f"{item.get('source', '')} {entry.get('detail', '')}"
                                       .strip()))
        elif kind == keys.LOG:
            rows.append(HistoryRow(str(item.get("at", "")), "journey", str(item.get("kind", "")),
                                   journey=str(item.get("journey", "")),
                                   detail=str(item.get("reason", ""))))
    return sorted(rows, key=lambda r: (r.at, r.kind))


def save_run(path: Path, items: dict[str, list[dict[str, Any]]]) -> None:
    """Keep the store contents of a simulation so ``tact history`` can read them later."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"customers": plain(items)}, default=str), encoding="utf-8")


def load_run(path: Path, customer_id: str) -> list[dict[str, Any]] | None:
    """The customer's items from a saved run, or None when the run did not see them."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return data.get("customers", {}).get(customer_id)


def as_json(rows: list[HistoryRow]) -> list[dict[str, str]]:
    return [asdict(r) for r in rows]
