"""Synthetic shop traffic: ``tact generate-events`` (benchmarks, backtest examples, tests)."""

from tact.generate.traffic import TrafficModel, TrafficStats, generate, write_jsonl

__all__ = ["TrafficModel", "TrafficStats", "generate", "write_jsonl"]
