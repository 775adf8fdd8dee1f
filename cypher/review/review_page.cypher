// Open review pairs, closest to the decision boundary first; $offset/$limit page them.
MATCH (rp:ReviewPair {status: 'open'})
WITH rp ORDER BY abs(rp.match_probability - 0.5), rp.pair_id
SKIP $offset LIMIT $limit
OPTIONAL MATCH (rp)-[:LEFT]->(l:SourceRecord)
OPTIONAL MATCH (rp)-[:RIGHT]->(r:SourceRecord)
RETURN rp {.pair_id, .match_probability, .match_weight, .status, .model_version} AS pair,
       l {.system, .record_id, .forename, .surname, .date_of_birth, .sex, .address,
          .postcode} AS left,
       r {.system, .record_id, .forename, .surname, .date_of_birth, .sex, .address,
          .postcode} AS right
