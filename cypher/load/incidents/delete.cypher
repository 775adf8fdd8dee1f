UNWIND $rows AS row
MATCH (i:Incident {incident_id: row.key})
DETACH DELETE i
