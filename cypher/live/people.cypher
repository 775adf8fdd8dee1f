// Live person records into the graph, in the batch load's shapes: (:SourceRecord)
// -[:RESOLVED_TO {match_probability, model_version}]->(:Person), and for an uncertain match
// an open (:ReviewPair) -[:LEFT]-> the existing record and -[:RIGHT]-> the new one. Nodes
// this creates are marked live: true (the batch loader keeps them until it holds them).
// A row quoting the police reference of an incident the graph holds (its Crime ID) is an
// involvement: (:SourceRecord)-[:RECORDED_IN {role, record_id}]->(:Incident) and
// (:Person)-[:PARTY_TO {key, role, sources, records}]->(:Incident).
// Idempotent: a record whose key the graph already holds is not written again and comes
// back as seen, with the person it resolves to; its involvement is merged (a new row of a
// known person adds one; the same row again adds nothing), so a replay is harmless.
// $rows: [{seq, key, system, record_id, record_ref, forename, middle_names, surname,
//          date_of_birth, dob_precision, sex, address, postcode, person_id, name,
//          person_dob, match_probability, model_version, role, police_reference,
//          involvement_only (a later row of a record already in this batch),
//          pair: null | {pair_id, left_key, match_probability, match_weight, evidence,
//                        model_version}}]  (one row per key that is not involvement_only)
UNWIND $rows AS row
OPTIONAL MATCH (held:SourceRecord {key: row.key})
OPTIONAL MATCH (held)-[:RESOLVED_TO]->(owner:Person)
WITH row, held IS NOT NULL AS seen, owner.person_id AS held_person
CALL (row, seen) {
  WITH * WHERE NOT seen AND NOT row.involvement_only
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
CALL (row) {
  WITH row WHERE row.police_reference IS NOT NULL AND row.role IS NOT NULL
  MATCH (s:SourceRecord {key: row.key})-[:RESOLVED_TO]->(p:Person)
  MATCH (i:Incident {incident_id: row.police_reference})
  MERGE (s)-[ri:RECORDED_IN {record_id: row.record_ref}]->(i)
    ON CREATE SET ri.role = row.role, ri.live = true
  MERGE (p)-[r:PARTY_TO {key: p.person_id + '|' + i.incident_id + '|' + row.role}]->(i)
    ON CREATE SET r.role = row.role, r.sources = [], r.records = [], r.live = true
  WITH r, row, row.system + ':' + row.record_ref AS ref
  WHERE NOT ref IN r.records
  SET r.records = r.records + ref,
      r.sources = CASE WHEN row.system IN r.sources THEN r.sources
                       ELSE r.sources + row.system END
}
RETURN row.seq AS seq, seen, held_person
