// People sharing an incident with the person (depth 1) and with those (depth 2).
MATCH (p:Person {person_id: $person_id})
OPTIONAL MATCH (p)-[:PARTY_TO]->(i1:Incident)<-[:PARTY_TO]-(a1:Person)
WHERE a1 <> p
WITH p, a1, collect(DISTINCT i1.incident_id) AS via
ORDER BY size(via) DESC, a1.person_id
WITH p, collect(a1 {.person_id, .name, .network_id, .key_actor, depth: 1,
                    via_incidents: via})[..$limit] AS first,
     collect(a1) AS ones
CALL (p, ones) {
  UNWIND (CASE WHEN $depth >= 2 THEN ones ELSE [] END) AS a1
  MATCH (a1)-[:PARTY_TO]->(:Incident)<-[:PARTY_TO]-(a2:Person)
  WHERE a2 <> p AND NOT a2 IN ones
  WITH a2, collect(DISTINCT a1.person_id) AS through
  ORDER BY size(through) DESC, a2.person_id
  LIMIT $limit
  RETURN collect(a2 {.person_id, .name, .network_id, .key_actor, depth: 2,
                     via_people: through}) AS second
}
RETURN first, second
