"""The journey steps that run in the decide Lambda: splits, buckets, holdouts, waits, updates."""
