// One review pair with both records side by side and its per-comparison evidence.
MATCH (rp:ReviewPair {pair_id: $pair_id})
OPTIONAL MATCH (rp)-[:LEFT]->(l:SourceRecord)
OPTIONAL MATCH (rp)-[:RIGHT]->(r:SourceRecord)
RETURN rp {.pair_id, .match_probability, .match_weight, .status, .model_version,
           .evidence} AS pair,
       l {.system, .record_id, .forename, .surname, .date_of_birth, .sex, .address,
          .postcode} AS left,
       r {.system, .record_id, .forename, .surname, .date_of_birth, .sex, .address,
          .postcode} AS right,
       [(d:MatchDecision)-[:DECIDES]->(rp) | d {.*}] AS decisions
