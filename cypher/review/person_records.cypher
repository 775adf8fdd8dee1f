// The source record keys (system:record_id) resolved to a person.
MATCH (p:Person {person_id: $person_id})<-[:RESOLVED_TO]-(r:SourceRecord)
RETURN r.key AS key, r.system AS system, r.record_id AS record_id
