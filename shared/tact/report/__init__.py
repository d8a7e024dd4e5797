"""`tact report`: funnels per journey and step, A/B and holdout comparison, HTML."""
