// The person's offender network: members (key actors first) and co-offending links.
MATCH (p:Person {person_id: $person_id}) WHERE p.network_id IS NOT NULL
MATCH (m:Person {network_id: p.network_id})
OPTIONAL MATCH (m)-[c:CO_OFFENDED_WITH]->(n:Person {network_id: p.network_id})
WITH p, m, collect(c {source: m.person_id, target: n.person_id, .weight, .incidents}) AS out
ORDER BY m.key_actor DESC, m.pagerank DESC, m.person_id
RETURN p.network_id AS network_id, p.network_size AS size,
       collect(m {.person_id, .name, .community_id, .pagerank, .betweenness, .key_actor})
         AS members,
       reduce(links = [], x IN collect(out) | links + x) AS links
