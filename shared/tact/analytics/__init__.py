"""What Tact decided, as one record type, and the report computed from such records.

The same records come from a simulate run (``tact simulate --export``) and from production
(DynamoDB Streams -> the ``decisions`` Lambda -> Kinesis Data Firehose -> S3); the same SQL
counts them in DuckDB or Athena.
"""
