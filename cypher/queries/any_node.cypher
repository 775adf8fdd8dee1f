// Whether the graph holds any node at all (an empty graph may be bulk-loaded).
MATCH (n)
RETURN true AS found
LIMIT 1
