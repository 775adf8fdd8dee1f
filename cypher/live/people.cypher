// Live person records into the graph, in the batch load's shapes: (:SourceRecord)
// -[:RESOLVED_TO {match_probability, model_version}]->(:Person), and for an uncertain match
// an open (:ReviewPair) -[:LEFT]-> the existing record and -[:RIGHT]-> the new one. Nodes
// this creates are marked live: true (the batch loader keeps them until it holds them).
// Idempotent: a record whose key the graph already holds changes nothing and comes back
// as seen, with the person it resolves to, so a replayed journal entry is harmless.
// $rows: [{seq, key, system, record_id, record_ref, forename, middle_names, surname,
//          date_of_birth, dob_precision, sex, address, postcode, person_id, name,
//          person_dob, match_probability, model_version,
//          pair: null | {pair_id, left_key, match_probability, match_weight, evidence,
//                        model_version}}]  (one row per key)
UNWIND $rows AS row
OPTIONAL MATCH (held:SourceRecord {key: row.key})
OPTIONAL MATCH (held)-[:RESOLVED_TO]->(owner:Person)
WITH row, held IS NOT NULL AS seen, owner.person_id AS held_person
CALL (row, seen) {
  WITH * WHERE NOT seen
  MERGE (p:Person {person_id: row.person_id})
    ON CREATE SET p.name = row.name, p.date_of_birth = row.person_dob, p.sex = row.sex,
                  p.record_count = 0, p.sources = [], p.model_version = row.model_version,
                  p.live = true
  SET p.record_count = coalesce(p.record_count, 0) + 1,
      p.sources = CASE WHEN row.system IN coalesce(p.sources, []) THEN p.sources
                       ELSE coalesce(p.sources, []) + row.system END
  CREATE (s:SourceRecord {key: row.key})
  SET s += row {.system, .record_id, .record_ref, .forename, .middle_names, .surname,
                .date_of_birth, .dob_precision, .sex, .address, .postcode},
      s.kind = 'person', s.source_file = 'live', s.sources = [row.system], s.live = true
  CREATE (s)-[:RESOLVED_TO {match_probability: row.match_probability,
                            model_version: row.model_version, sources: [row.system]}]->(p)
  WITH s, row.pair AS pair WHERE pair IS NOT NULL
  MATCH (l:SourceRecord {key: pair.left_key})
  MERGE (rp:ReviewPair {pair_id: pair.pair_id})
    ON CREATE SET rp += pair {.match_probability, .match_weight, .evidence, .model_version},
                  rp.status = 'open', rp.live = true
  MERGE (rp)-[:LEFT]->(l)
  MERGE (rp)-[:RIGHT]->(s)
}
RETURN row.seq AS seq, seen, held_person
