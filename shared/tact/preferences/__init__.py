"""Consent and preferences: the signed-link API a customer reaches from a message."""
