// Candidate source records for a person search: same surname start, date of birth or
// postcode (all standardised as the resolver stores them). Scored in Python.
MATCH (r:SourceRecord)-[rt:RESOLVED_TO]->(p:Person)
WHERE ($surname_prefix IS NOT NULL AND r.surname STARTS WITH $surname_prefix)
   OR ($dob_prefix IS NOT NULL AND toString(r.date_of_birth) STARTS WITH $dob_prefix)
   OR ($postcode IS NOT NULL AND r.postcode = $postcode)
RETURN p.person_id AS person_id, p.name AS name, r.system AS system,
       r.record_id AS record_id, r.forename AS forename, r.surname AS surname,
       toString(r.date_of_birth) AS date_of_birth, r.postcode AS postcode,
       rt.match_probability AS match_probability
LIMIT $limit
