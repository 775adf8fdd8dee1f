// The cannot-link decisions unmerges wrote, with their reasons.
MATCH (d:MatchDecision {decision: 'not_a_match'})
WHERE d.pair_id STARTS WITH 'unmerge:'
RETURN d.pair_id AS pair, d.reason AS reason
ORDER BY pair
