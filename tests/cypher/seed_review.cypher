// Test data only: review pairs between existing source records.
// $pairs: [{pair_id, left_key, right_key, match_probability, match_weight, evidence}]
UNWIND $pairs AS row
MATCH (a:SourceRecord {key: row.left_key}), (b:SourceRecord {key: row.right_key})
MERGE (rp:ReviewPair {pair_id: row.pair_id})
SET rp.match_probability = row.match_probability, rp.match_weight = row.match_weight,
    rp.evidence = row.evidence, rp.model_version = 1, rp.status = 'open'
MERGE (rp)-[:LEFT]->(a)
MERGE (rp)-[:RIGHT]->(b)
