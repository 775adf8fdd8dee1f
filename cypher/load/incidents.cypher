// $rows: [{incident_id, crime_id, month, last_month, crime_type, crime_group,
//          last_outcome, force_code, location_id, record_count, source_records, sources}]
UNWIND $rows AS row
MERGE (i:Incident {incident_id: row.incident_id})
SET i.crime_id = row.crime_id,
    i.month = row.month,
    i.last_month = row.last_month,
    i.crime_type = row.crime_type,
    i.crime_group = row.crime_group,
    i.last_outcome = row.last_outcome,
    i.record_count = row.record_count,
    i.source_records = row.source_records,
    i.sources = row.sources
WITH i, row
MATCH (f:Force {code: row.force_code})
MERGE (i)-[:REPORTED_BY]->(f)
WITH i, row
WHERE row.location_id IS NOT NULL
MATCH (l:Location {location_id: row.location_id})
MERGE (i)-[:OCCURRED_AT]->(l)
