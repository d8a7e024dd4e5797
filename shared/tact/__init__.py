"""Tact: consent-first customer journeys on AWS, as code."""

__version__ = "0.1.0"
