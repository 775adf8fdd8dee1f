// Key actors: the $per_network people of each network with the highest PageRank
// (betweenness breaks ties).
MATCH (p:Person) WHERE p.network_id IS NOT NULL
WITH p ORDER BY p.pagerank DESC, p.betweenness DESC, p.person_id
WITH p.network_id AS network, collect(p) AS members
UNWIND range(0, size(members) - 1) AS rank
WITH members[rank] AS p, rank
SET p.key_actor = rank < $per_network
