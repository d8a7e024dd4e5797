-- One row per journey: customers (not entries) entered, held out, exited and converted;
-- message outcomes; the goal events the journey was measured by when customers entered.
WITH totals AS (
  SELECT journey,
         COUNT(DISTINCT CASE WHEN kind = 'entered' THEN customer_id END) AS entered,
         SUM(CASE WHEN kind = 'entered' THEN 1 ELSE 0 END) AS entries,
         COUNT(DISTINCT CASE WHEN kind = 'assigned' AND step = 'holdout' AND variant = 'control'
                             THEN customer_id END) AS holdout,
         SUM(CASE WHEN kind = 'sent' THEN 1 ELSE 0 END) AS sent,
         SUM(CASE WHEN kind = 'not_sent' THEN 1 ELSE 0 END) AS not_sent,
         SUM(CASE WHEN kind = 'unknown' THEN 1 ELSE 0 END) AS unknown,
         SUM(CASE WHEN kind = 'deferred' THEN 1 ELSE 0 END) AS deferred,
         SUM(CASE WHEN kind = 'skipped' THEN 1 ELSE 0 END) AS skipped,
         COUNT(DISTINCT CASE WHEN kind = 'exited' AND reason NOT LIKE 'restarted%'
                             THEN customer_id END) AS exited,
         MAX(CASE WHEN kind = 'entered' THEN goal END) AS goals
  FROM final
  GROUP BY journey
),
converted AS (
  SELECT journey, COUNT(DISTINCT customer_id) AS converted
  FROM conversions
  GROUP BY journey
)
SELECT t.journey, t.entered, t.entries, t.holdout, t.sent, t.not_sent, t.unknown, t.deferred,
       t.skipped, t.exited, COALESCE(c.converted, 0) AS converted, t.goals
FROM totals t
LEFT JOIN converted c ON c.journey = t.journey
ORDER BY t.journey
