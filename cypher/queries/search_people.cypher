// Fuzzy search over every source record's names and postcode (full-text index), each hit
// lifted to its resolved person. $query is built from letters and digits only.
CALL db.index.fulltext.queryNodes('source_record_names', $query, {limit: $candidates})
YIELD node, score
MATCH (node)-[r:RESOLVED_TO]->(p:Person)
WHERE ($date_of_birth IS NULL OR node.date_of_birth = $date_of_birth
       OR p.date_of_birth = $date_of_birth)
  AND ($postcode IS NULL OR node.postcode = $postcode)
WITH p, max(score) AS score,
     collect(DISTINCT {system: node.system, record_id: node.record_id,
                       match_probability: r.match_probability}) AS matched
RETURN p {.person_id, .name, .date_of_birth, .sex, .sources, .network_id} AS person,
       score, matched[..5] AS matched_records
ORDER BY score DESC, person.person_id
LIMIT $limit
