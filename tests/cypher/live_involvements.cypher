// $person_id: a person's PARTY_TO incidents, with how many RECORDED_IN links its source
// records have to each (live person tests).
MATCH (p:Person {person_id: $person_id})-[r:PARTY_TO]->(i:Incident)
RETURN i.incident_id AS incident, r.role AS role, r.records AS records,
       COUNT { MATCH (s:SourceRecord)-[:RECORDED_IN]->(i)
               WHERE EXISTS { (s)-[:RESOLVED_TO]->(p) } } AS recorded
