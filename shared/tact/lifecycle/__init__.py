"""Lifecycle stages over time: the daily job that finds customers who became lapsed."""
