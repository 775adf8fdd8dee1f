// Live-only police.uk incidents the retention policy removed from the warehouse, and the
// live locations left with no incident (`crimegraph retention apply`). Nodes a batch load
// has taken over (load_hash set) are the loader's to remove; these it has never held.
// $incidents: [incident_id]
UNWIND $incidents AS id
MATCH (i:Incident {incident_id: id})
WHERE i.live AND i.load_hash IS NULL
OPTIONAL MATCH (i)-[:OCCURRED_AT]->(l:Location)
WHERE l.live AND l.load_hash IS NULL
WITH collect(DISTINCT i) AS incidents, collect(DISTINCT l) AS locations
FOREACH (i IN incidents | DETACH DELETE i)
WITH incidents, [l IN locations WHERE NOT EXISTS { (l)<-[:OCCURRED_AT]-(:Incident) }] AS bare
FOREACH (l IN bare | DETACH DELETE l)
RETURN size(incidents) AS incidents, size(bare) AS locations
