// $id: one incident with its location and force links (live ingest tests).
MATCH (i:Incident {incident_id: $id})
OPTIONAL MATCH (i)-[:OCCURRED_AT]->(l:Location)
OPTIONAL MATCH (i)-[:REPORTED_BY]->(f:Force)
RETURN i {.*} AS i, count(DISTINCT l) AS locations, collect(DISTINCT f.code) AS forces,
       count(*) AS rows
