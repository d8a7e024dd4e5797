-- Prepended to every report query (as the first CTEs of its WITH clause).
-- final: each decision once, at its latest revision (Firehose delivers at least once, and a
--   message record is revised after the provider call: sent -> unknown or rejected).
-- ({since} is '' or an ISO 8601 time: decisions before it are left out.)
-- conversions: goal events within the attribution window after the entry they convert.
final AS (
  SELECT *
  FROM (
    SELECT d.*,
           ROW_NUMBER() OVER (PARTITION BY d.record_id
                              ORDER BY d.revision DESC, d.epoch_ms DESC) AS latest
    FROM decisions d
    WHERE d.decided_at >= '{since}'
  ) ranked
  WHERE latest = 1
),
conversions AS (
  SELECT DISTINCT c.journey, c.customer_id, c.event_id, c.value, c.currency
  FROM final c
  JOIN final e
    ON e.kind = 'entered' AND e.journey = c.journey AND e.customer_id = c.customer_id
   AND e.execution = c.execution
  WHERE c.kind = 'converted'
    AND c.epoch_ms >= e.epoch_ms
    AND c.epoch_ms <= e.epoch_ms + {window_ms}
)
