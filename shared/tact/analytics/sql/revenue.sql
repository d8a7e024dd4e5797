-- Revenue per journey and currency: the value of each goal event once, however many of the
-- customer's entries it converted.
WITH events AS (
  SELECT DISTINCT journey, customer_id, event_id, value, currency
  FROM conversions
  WHERE value IS NOT NULL
)
SELECT journey, currency, SUM(value) AS revenue
FROM events
GROUP BY journey, currency
ORDER BY journey, currency
