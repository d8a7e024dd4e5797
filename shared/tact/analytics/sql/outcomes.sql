-- Message outcomes per journey, step, channel and reason, and triggers that did not enter.
SELECT journey, kind, COALESCE(step, '') AS step, COALESCE(channel, '') AS channel,
       COALESCE(reason, '') AS reason, COUNT(*) AS n,
       MIN(epoch_ms) AS first_ms
FROM final
WHERE kind IN ('sent', 'not_sent', 'unknown', 'deferred', 'skipped')
GROUP BY journey, kind, COALESCE(step, ''), COALESCE(channel, ''), COALESCE(reason, '')
ORDER BY journey, kind, step, channel, reason
