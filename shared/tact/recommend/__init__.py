"""Next best products and purchase propensity, from the shop's own order history.

Two halves, kept apart on purpose:

* ``fit`` (numpy/scipy; the model job, ``tact backtest --holdout-days`` and ``tact
  simulate``) turns purchase histories into a small :class:`~tact.recommend.artifact.Artifact`:
  the BG/NBD parameters, an item-to-item similarity table (top k per product) and the
  products in the catalog.
* ``score`` and ``profile_scores`` (pure Python) apply an artifact to one customer; ingest runs
  them on every purchase without numpy, scipy or any extra DynamoDB request.
"""
