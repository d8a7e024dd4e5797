"""One module per state type."""
