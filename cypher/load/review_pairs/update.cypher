// $rows: as create. A pair decided through the API stays decided; evidence from an
// earlier run is kept when the pair is no longer queued.
UNWIND $rows AS row
MERGE (p:ReviewPair {pair_id: row.key})
SET p.match_probability = coalesce(row.match_probability, p.match_probability),
    p.match_weight = coalesce(row.match_weight, p.match_weight),
    p.evidence = coalesce(row.evidence, p.evidence),
    p.model_version = coalesce(row.model_version, p.model_version),
    p.status = CASE WHEN p.status = 'decided' THEN 'decided' ELSE row.status END,
    p.load_hash = row.load_hash
WITH p, row
CALL (p) { MATCH (p)-[r:LEFT|RIGHT]->() DELETE r }
MATCH (l:SourceRecord {key: row.left_key})
MATCH (r:SourceRecord {key: row.right_key})
CREATE (p)-[:LEFT]->(l), (p)-[:RIGHT]->(r)
