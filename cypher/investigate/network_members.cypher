// Fallback when a person has no co-offending links: just the person (or nothing).
MATCH (p:Person {person_id: $person_id})
RETURN p.person_id AS person_id, p.network_id AS network_id,
       [p {.person_id, .name, .pagerank, .betweenness, .key_actor, .community_id}] AS members,
       [] AS links
