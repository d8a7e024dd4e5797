"""What model ``tact simulate`` (and ``tact backtest``) apply on ingest.

Locally there is no nightly model job: when a journey or template reads one of the model's
attributes, the model is fitted before the replay on the purchases of the shop's history
(``--history``: events that are not replayed) and of the events file being replayed, as if
the job had run over all of it, unless one is given. So in a replay the model has seen
purchases that happen later in the file: a simulation shows what journeys do with the
model's attributes; ``tact backtest --holdout-days`` measures how good they are. On moto the
artifact is put in an S3 bucket and ingest reads it the deployed way; on the in-memory store
it is handed to ingest directly.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tact import runtime
from tact.clock import parse_iso
from tact.config import runtime_config
from tact.journey.bundle import Bundle, bundle_json
from tact.recommend.artifact import Artifact
from tact.recommend.profile_scores import SCORE_ATTRIBUTES, FixedModel

LOCAL_BUCKET = "tact-local-models"


def reads_model(bundle: Bundle) -> bool:
    """Does any journey condition or template mention one of the model's attributes?"""
    text = bundle_json(bundle)
    return any(name in text for name in SCORE_ATTRIBUTES)


def local_model(bundle: Bundle, events: list[dict[str, Any]],
                history: list[dict[str, Any]] | None = None) -> Artifact | None:
    seen = [e for e in (*(history or []), *events) if _timed(e)]
    if not seen or not reads_model(bundle):
        return None
    from tact.recommend.evaluate import fit_events  # numpy/scipy: only when needed

    return fit_events(seen)


def history_model(journeys_dir: Path, history: Any) -> Artifact | None:
    """``tact backtest``: one model for the whole history (a History, or a file or folder of
    it), fitted before the customers are sharded, so every shard applies the same one."""
    from tact.backtest.history import History
    from tact.journey.bundle_builder import build
    from tact.journey.project import load_project, require_valid

    bundle, _ = build(require_valid(load_project(journeys_dir)))
    if not reads_model(bundle):
        return None
    raws = ([e.raw for e in history.events] if isinstance(history, History)
            else list(_streamed(history)))
    return local_model(bundle, [e for e in raws if e.get("type") in MODEL_EVENTS])


def _streamed(path: Path) -> Iterator[dict[str, Any]]:
    """Only the events the model reads, line by line: the history itself is never held."""
    from tact.backtest.history import _lines, envelope, history_files

    for file in history_files(path):
        for text in _lines(file):
            if not any(f'"{kind}"' in text for kind in MODEL_EVENTS):
                continue
            try:
                raw = envelope(json.loads(text))
            except json.JSONDecodeError:
                continue  # the replay reports it, with its file and line
            if isinstance(raw, dict) and raw.get("type") in MODEL_EVENTS:
                yield raw


MODEL_EVENTS = frozenset({"purchase_completed", "order_refunded", "cart_updated",
                          "checkout_started"})


def _timed(event: dict[str, Any]) -> bool:
    """Events whose time parses (the replay reports the others; the fit skips them)."""
    try:
        parse_iso(str(event.get("time")))
    except ValueError:
        return False
    return True


def install(artifact: Artifact, on_moto: bool) -> None:
    if not on_moto:
        runtime.override(model=FixedModel(artifact))
        return
    from tact import aws
    from tact.recommend.publish import save

    client = aws.client("s3")
    client.create_bucket(Bucket=LOCAL_BUCKET)
    save(artifact, LOCAL_BUCKET, "models/nbp/", client)
    os.environ["TACT_MODEL_BUCKET"] = LOCAL_BUCKET
    runtime_config.cache_clear()
    runtime.model.cache_clear()
