MATCH (p:Person) WHERE p.network_id IS NOT NULL OR p.pagerank IS NOT NULL
CALL (p) {
  REMOVE p.network_id, p.network_size, p.community_id, p.pagerank, p.betweenness, p.key_actor
} IN TRANSACTIONS OF 10000 ROWS
