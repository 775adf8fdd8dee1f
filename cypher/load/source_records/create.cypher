// $rows: [{key (system:record_id), system, record_id, kind, source_file, row_number, forename,
//          middle_names, surname, date_of_birth, dob_precision, sex, address, postcode,
//          person_id, match_probability, model_version,
//          involvements: [{incident_id, role, record_id}], sources, load_hash}]
UNWIND $rows AS row
CREATE (s:SourceRecord {key: row.key})
SET s += row {.system, .record_id, .kind, .source_file, .row_number, .forename, .middle_names,
              .surname, .date_of_birth, .dob_precision, .sex, .address, .postcode, .sources,
              .load_hash}
WITH s, row
CALL (s, row) {
  MATCH (p:Person {person_id: row.person_id})
  CREATE (s)-[:RESOLVED_TO {match_probability: row.match_probability,
                            model_version: row.model_version}]->(p)
}
CALL (s, row) {
  UNWIND row.involvements AS inv
  MATCH (i:Incident {incident_id: inv.incident_id})
  CREATE (s)-[:RECORDED_IN {role: inv.role, record_id: inv.record_id}]->(i)
}
