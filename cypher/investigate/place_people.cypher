// People party to incidents at places, with the source records behind each link.
// $location_ids: the places (one location, or every location in a map cell).
MATCH (l:Location)<-[:OCCURRED_AT]-(i:Incident)<-[pq:PARTY_TO]-(q:Person)
WHERE l.location_id IN $location_ids
RETURN q.person_id AS person_id, q.name AS name, pq.role AS link,
       i.incident_id AS incident_id, l.location_id AS location_id,
       [(r:SourceRecord)-[rr:RESOLVED_TO]->(q) WHERE (r)-[:RECORDED_IN]->(i) |
        {system: r.system, record_id: r.record_id, match_probability: rr.match_probability}]
         AS provenance
ORDER BY person_id, incident_id
LIMIT $limit
