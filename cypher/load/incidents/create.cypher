// $rows: [{key (incident id), crime_id, month, last_month, crime_type, crime_group,
//          last_outcome, force_code, location_id, record_count, source_records, sources, load_hash}]
UNWIND $rows AS row
CREATE (i:Incident {incident_id: row.key})
SET i += row {.crime_id, .month, .last_month, .crime_type, .crime_group, .last_outcome,
              .record_count, .source_records, .sources, .load_hash}
WITH i, row
CALL (i, row) {
  MATCH (f:Force {code: row.force_code})
  CREATE (i)-[:REPORTED_BY]->(f)
}
WITH i, row WHERE row.location_id IS NOT NULL
MATCH (l:Location {location_id: row.location_id})
CREATE (i)-[:OCCURRED_AT]->(l)
