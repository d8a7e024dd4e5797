-- The first 100 messages not sent per journey, with their reasons (the total is in journeys).
SELECT journey, customer_id, step, reason, decided_at
FROM (
  SELECT journey, customer_id, COALESCE(step, '') AS step, COALESCE(reason, '') AS reason,
         decided_at,
         ROW_NUMBER() OVER (PARTITION BY journey
                            ORDER BY decided_at, customer_id, step, reason) AS row_in_journey
  FROM final
  WHERE kind = 'not_sent'
) listed
WHERE row_in_journey <= 100
ORDER BY journey, decided_at, customer_id, step, reason
