UNWIND $rows AS row
MERGE (d:MatchDecision {decision_id: row.key})
SET d += row {.pair_id, .decision, .decided_by, .decided_at, .reason, .origin, .load_hash}
WITH d, row
MATCH (p:ReviewPair {pair_id: row.pair_id})
MERGE (d)-[:DECIDES]->(p)
