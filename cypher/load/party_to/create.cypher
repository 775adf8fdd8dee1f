// $rows: [{key (person|incident|role), person_id, incident_id, role, sources, records,
//          load_hash}]
UNWIND $rows AS row
MATCH (p:Person {person_id: row.person_id})
MATCH (i:Incident {incident_id: row.incident_id})
CREATE (p)-[r:PARTY_TO {key: row.key}]->(i)
SET r += row {.role, .sources, .records, .load_hash}
