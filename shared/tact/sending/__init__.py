"""The send path: decide whether a person gets a message, then send it at most once."""
