// A person's co-offending network: them and co-offenders up to two hops away, and the
// CO_OFFENDED_WITH links among those people.
MATCH (p:Person {person_id: $person_id})
CALL (p) {
  MATCH (p)-[:CO_OFFENDED_WITH]-{1,2}(m:Person)
  RETURN DISTINCT m LIMIT $limit
}
WITH p, collect(m) + [p] AS members
UNWIND members AS a
MATCH (a)-[c:CO_OFFENDED_WITH]->(b:Person) WHERE b IN members
WITH p, members, collect({source: a.person_id, target: b.person_id, weight: c.weight,
                          incidents: c.incidents}) AS links
RETURN p.person_id AS person_id, p.network_id AS network_id,
  [m IN members | m {.person_id, .name, .pagerank, .betweenness, .key_actor,
                     .community_id}] AS members,
  links
