// $url: a CSV in the server's import directory, one row per incident (the load step's
// columns, lists joined by U+001F). The same writes as load/incidents/create.cypher, read
// by the server itself: no client, no Bolt.
LOAD CSV WITH HEADERS FROM $url AS csv
CALL (csv) {
  CREATE (i:ReferenceIncident {incident_id: csv.key})
  SET i += csv {.crime_id, .month, .last_month, .crime_type, .crime_group, .last_outcome,
                .load_hash},
      i.record_count = toInteger(csv.record_count),
      i.source_records = split(csv.source_records, '\u001F'),
      i.sources = split(csv.sources, '\u001F')
  WITH i, csv
  CALL (i, csv) {
    MATCH (f:Force {code: csv.force_code})
    CREATE (i)-[:REFERENCE_REPORTED_BY]->(f)
  }
  WITH i, csv WHERE csv.location_id IS NOT NULL
  MATCH (l:Location {location_id: csv.location_id})
  CREATE (i)-[:REFERENCE_OCCURRED_AT]->(l)
} IN TRANSACTIONS OF 10000 ROWS
