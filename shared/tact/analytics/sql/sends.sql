-- Messages sent per journey and UTC hour (decided_at is ISO 8601: its first 13 characters).
SELECT journey, SUBSTR(decided_at, 1, 13) AS hour, COUNT(*) AS sent
FROM final
WHERE kind = 'sent'
GROUP BY journey, SUBSTR(decided_at, 1, 13)
ORDER BY journey, hour
