-- Customers and converted customers per comparison group: the holdout (control vs everyone
-- else who entered) and each A/B split's variants. A customer is in one group per test;
-- sort_key orders the groups (control first; variants as declared, from the record's reason).
WITH entered AS (
  SELECT DISTINCT journey, customer_id FROM final WHERE kind = 'entered'
),
control AS (
  SELECT DISTINCT journey, customer_id
  FROM final
  WHERE kind = 'assigned' AND step = 'holdout' AND variant = 'control'
),
membership AS (
  SELECT e.journey, 'holdout' AS test,
         CASE WHEN h.customer_id IS NULL THEN 'journey' ELSE 'control' END AS grp,
         CASE WHEN h.customer_id IS NULL THEN '1' ELSE '0' END AS sort_key, e.customer_id
  FROM entered e
  LEFT JOIN control h ON h.journey = e.journey AND h.customer_id = e.customer_id
  WHERE EXISTS (SELECT 1 FROM control x WHERE x.journey = e.journey)
  UNION ALL
  SELECT DISTINCT journey, step AS test, variant AS grp, COALESCE(reason, '') AS sort_key,
         customer_id
  FROM final
  WHERE kind = 'assigned' AND step <> 'holdout'
),
converted AS (
  SELECT DISTINCT journey, customer_id FROM conversions
)
SELECT m.journey, m.test, m.grp, MIN(m.sort_key) AS sort_key, COUNT(*) AS customers,
       COUNT(c.customer_id) AS converted
FROM membership m
LEFT JOIN converted c ON c.journey = m.journey AND c.customer_id = m.customer_id
GROUP BY m.journey, m.test, m.grp
ORDER BY m.journey, m.test, MIN(m.sort_key), m.grp
