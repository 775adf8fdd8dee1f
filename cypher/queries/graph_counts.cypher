// Nodes per label and relationships per type, as {key, count} rows.
CALL db.labels() YIELD label
CALL (label) { MATCH (n) WHERE label IN labels(n) RETURN count(n) AS count }
RETURN 'node:' + label AS key, count
UNION ALL
CALL db.relationshipTypes() YIELD relationshipType AS type
CALL (type) { MATCH ()-[r]->() WHERE type(r) = type RETURN count(r) AS count }
RETURN 'relationship:' + type AS key, count
