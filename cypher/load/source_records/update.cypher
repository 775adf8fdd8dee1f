// $rows: as create. A record that moved to another person (a merge or a split) is
// re-linked; PersonLineage says why.
UNWIND $rows AS row
MERGE (s:SourceRecord {key: row.key})
SET s += row {.system, .record_id, .kind, .source_file, .row_number, .forename, .middle_names,
              .surname, .date_of_birth, .dob_precision, .sex, .address, .postcode, .sources,
              .load_hash}
WITH s, row
CALL (s) { MATCH (s)-[r:RESOLVED_TO|RECORDED_IN]->() DELETE r }
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
