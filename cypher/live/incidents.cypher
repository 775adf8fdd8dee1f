// Live police.uk records into the graph, in the batch load's shapes (Incident, Location,
// OCCURRED_AT, REPORTED_BY, IN_AREA; provenance in source_records/sources).
// Idempotent: a record already in its incident's source_records changes nothing, so a
// replayed journal entry is harmless. An incident remembers the journal entry that created
// it (live_seq): replaying that entry (its writer died before marking it applied) still
// says "created", so the incident is announced once, not never.
// $rows: [{seq, incident_id, crime_id, month, crime_type, crime_group, last_outcome,
//          force_code, location_id, latitude, longitude, h3_cell, location, lsoa_code,
//          record_ref}]
UNWIND $rows AS row
MERGE (i:Incident {incident_id: row.incident_id})
  ON CREATE SET i.source_records = [], i.record_count = 0, i.sources = ['police.uk'],
                i.crime_id = row.crime_id, i.month = row.month, i.last_month = row.month,
                i.crime_type = row.crime_type, i.crime_group = row.crime_group,
                i.last_outcome = row.last_outcome, i.live = true, i.live_seq = row.seq
WITH i, row, coalesce(i.source_records, []) AS before, i.month AS first_month,
     i.last_month AS last_month
WITH i, row, before, first_month, last_month,
     row.record_ref IN before AS seen,
     size(before) = 0 OR i.live_seq = row.seq AS created
CALL (i, row, before, first_month, last_month, seen) {
  WITH * WHERE NOT seen
  SET i.source_records = before + row.record_ref,
      i.record_count = size(before) + 1,
      i.month = CASE WHEN row.month < first_month THEN row.month ELSE first_month END,
      i.last_month = CASE WHEN row.month > last_month THEN row.month ELSE last_month END,
      i.last_outcome = CASE WHEN row.month >= last_month AND row.last_outcome IS NOT NULL
                            THEN row.last_outcome ELSE i.last_outcome END,
      i.sources = CASE WHEN 'police.uk' IN i.sources THEN i.sources
                       ELSE i.sources + 'police.uk' END
}
CALL (i, row, created) {
  WITH * WHERE created AND row.location_id IS NOT NULL
  MERGE (l:Location {location_id: row.location_id})
    ON CREATE SET l.kind = 'street', l.latitude = row.latitude, l.longitude = row.longitude,
                  l.h3 = row.h3_cell, l.name = row.location, l.sources = ['police.uk'],
                  l.point = point({latitude: row.latitude, longitude: row.longitude}),
                  l.live = true
  MERGE (i)-[:OCCURRED_AT]->(l)
  WITH l, row WHERE row.lsoa_code IS NOT NULL
  MATCH (a:Area {lsoa: row.lsoa_code})
  MERGE (l)-[:IN_AREA]->(a)
}
CALL (i, row, created) {
  WITH * WHERE created
  MATCH (f:Force {code: row.force_code})
  MERGE (i)-[:REPORTED_BY]->(f)
}
RETURN row.seq AS seq, created, seen
