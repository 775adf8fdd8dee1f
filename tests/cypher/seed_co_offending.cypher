// Test data only: co-offending links. $links: [{source, target, weight, incidents}]
UNWIND $links AS row
MATCH (a:Person {person_id: row.source}), (b:Person {person_id: row.target})
MERGE (a)-[c:CO_OFFENDED_WITH]->(b)
SET c.weight = row.weight, c.incidents = row.incidents
