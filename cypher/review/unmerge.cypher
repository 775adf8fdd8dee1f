// Cannot-link decisions between records split off a person and the records staying:
// one MatchDecision per pair, linked to both records; the next resolve run honours them.
// $decisions: [{decision_id, pair_id, left_key, right_key, decision, decided_by,
//               decided_at, reason, origin, kind}]
UNWIND $decisions AS row
MATCH (a:SourceRecord {key: row.left_key}), (b:SourceRecord {key: row.right_key})
CREATE (d:MatchDecision)
SET d = row
CREATE (d)-[:LEFT]->(a), (d)-[:RIGHT]->(b)
RETURN count(d) AS created
