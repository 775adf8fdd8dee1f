// People living at places, with the records resolved to them.
MATCH (l:Location)<-[:LIVES_AT]-(q:Person)
WHERE l.location_id IN $location_ids
RETURN q.person_id AS person_id, q.name AS name, 'lives at' AS link,
       null AS incident_id, l.location_id AS location_id,
       [(r:SourceRecord)-[rr:RESOLVED_TO]->(q) |
        {system: r.system, record_id: r.record_id, match_probability: rr.match_probability}]
         AS provenance
ORDER BY person_id
LIMIT $limit
