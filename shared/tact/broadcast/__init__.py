"""Broadcasts: one message to a segment, at each customer's local time or at one instant.

``model`` (the file), ``project`` (loading and validation), ``segment`` (who matches),
``waves`` (when each customer is due), ``plan`` (the dry run), ``service`` (scan and send,
deployed and local), ``compiler`` (the state machine).
"""
