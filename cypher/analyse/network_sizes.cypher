// A network is a weakly connected component of co-offending with at least two people.
MATCH (p:Person) WHERE p.network_id IS NOT NULL
WITH p.network_id AS network, collect(p) AS members
UNWIND members AS p
SET p.network_size = size(members)
WITH p WHERE p.network_size < 2
REMOVE p.network_id, p.community_id
