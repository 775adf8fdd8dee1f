// A person and every source record resolved to them, with the link's probability.
MATCH (p:Person {person_id: $person_id})
OPTIONAL MATCH (s:SourceRecord)-[r:RESOLVED_TO]->(p)
WITH p, s, r ORDER BY s.key
RETURN p {.person_id, .name, .date_of_birth, .sex, .sources, .record_count, .network_id,
          .network_size, .community_id, .pagerank, .betweenness, .key_actor} AS person,
       collect(s {.system, .record_id, .source_file, .row_number, .forename, .middle_names,
                  .surname, .date_of_birth, .dob_precision, .sex, .address, .postcode,
                  match_probability: r.match_probability}) AS records
