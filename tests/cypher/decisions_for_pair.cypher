// Test reads only: the decisions stored on a review pair, and the pair's status.
MATCH (d:MatchDecision)-[:DECIDES]->(rp:ReviewPair {pair_id: $pair_id})
RETURN d.decision AS decision, d.reason AS reason, d.decided_by AS decided_by,
       d.origin AS origin, rp.status AS status
