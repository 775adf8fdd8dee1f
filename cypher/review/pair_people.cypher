// The person each record of a review pair resolves to today, with that person's records
// (the first $max_records by key) and how many it holds, so the steward sees what a
// decision would do to whole people, not just to two records.
MATCH (rp:ReviewPair {pair_id: $pair_id})
OPTIONAL MATCH (rp)-[:LEFT]->(:SourceRecord)-[:RESOLVED_TO]->(lp:Person)
OPTIONAL MATCH (rp)-[:RIGHT]->(:SourceRecord)-[:RESOLVED_TO]->(rpp:Person)
RETURN lp.person_id AS left_person, rpp.person_id AS right_person,
       CASE WHEN lp IS NULL THEN 0 ELSE COUNT { (lp)<-[:RESOLVED_TO]-(:SourceRecord) } END
           AS left_total,
       CASE WHEN rpp IS NULL THEN 0 ELSE COUNT { (rpp)<-[:RESOLVED_TO]-(:SourceRecord) } END
           AS right_total,
       CASE WHEN lp IS NULL THEN [] ELSE
           COLLECT { MATCH (lp)<-[:RESOLVED_TO]-(s:SourceRecord)
                     RETURN s {.key, .system, .record_id, .forename, .surname, .date_of_birth,
                               .sex, .address, .postcode} ORDER BY s.key LIMIT $max_records }
       END AS left_records,
       CASE WHEN rpp IS NULL THEN [] ELSE
           COLLECT { MATCH (rpp)<-[:RESOLVED_TO]-(s:SourceRecord)
                     RETURN s {.key, .system, .record_id, .forename, .surname, .date_of_birth,
                               .sex, .address, .postcode} ORDER BY s.key LIMIT $max_records }
       END AS right_records
