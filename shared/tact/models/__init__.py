"""Pydantic models at the product's boundaries."""
