"""Backtests: replay real event history through (edited) journeys, fast, in memory."""
