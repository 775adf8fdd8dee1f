// Decisions stewards made through the API, with the two records each one is about
// (a review pair's LEFT/RIGHT records, or an unmerge's left_key/right_key).
MATCH (d:MatchDecision) WHERE d.origin = 'api'
OPTIONAL MATCH (d)-[:DECIDES]->(p:ReviewPair)
OPTIONAL MATCH (p)-[:LEFT]->(pl:SourceRecord)
OPTIONAL MATCH (p)-[:RIGHT]->(pr:SourceRecord)
RETURN d.decision_id AS decision_id, toLower(d.decision) AS decision,
       d.decided_by AS decided_by, toString(d.decided_at) AS decided_at, d.reason AS reason,
       coalesce(pl.key, properties(d).left_key) AS left_key,
       coalesce(pr.key, properties(d).right_key) AS right_key
ORDER BY decided_at, decision_id
