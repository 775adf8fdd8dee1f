// $rows: [{key (decision id), pair_id, decision, decided_by, decided_at, reason, origin,
//          load_hash}]. Decisions are never deleted: the graph keeps their history.
UNWIND $rows AS row
CREATE (d:MatchDecision {decision_id: row.key})
SET d += row {.pair_id, .decision, .decided_by, .decided_at, .reason, .origin, .load_hash}
WITH d, row
MATCH (p:ReviewPair {pair_id: row.pair_id})
CREATE (d)-[:DECIDES]->(p)
