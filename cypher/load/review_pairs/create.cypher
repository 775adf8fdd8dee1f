// $rows: [{key (pair id), left_key, right_key, match_probability, match_weight,
//          evidence (JSON text), model_version, status, load_hash}]
UNWIND $rows AS row
CREATE (p:ReviewPair {pair_id: row.key})
SET p += row {.match_probability, .match_weight, .evidence, .model_version, .status,
              .load_hash}
WITH p, row
MATCH (l:SourceRecord {key: row.left_key})
MATCH (r:SourceRecord {key: row.right_key})
CREATE (p)-[:LEFT]->(l), (p)-[:RIGHT]->(r)
