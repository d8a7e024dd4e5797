"""Data access: the only modules that talk to DynamoDB (or its in-memory twin)."""
