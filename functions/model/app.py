"""Model Lambda: run daily by EventBridge Scheduler; fits next best products and purchase
propensity over the table, stores the artifact in S3, refreshes the customers' scores.

The only function with numpy and scipy (functions/model/requirements.txt): ingest applies the
artifact in pure Python.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from tact import clock, runtime
from tact.config import runtime_config
from tact.observability import handler, logger
from tact.recommend.job import run_model_job


@handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    config = runtime_config()
    if not config.model_bucket:
        raise RuntimeError("TACT_MODEL_BUCKET is not set: nowhere to store the model")
    result = run_model_job(runtime.store(), config.model_bucket, config.model_prefix,
                           clock.now())
    logger().info("model fitted", extra=asdict(result))
    return asdict(result)
