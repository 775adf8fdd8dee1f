MATCH (p:Person) RETURN p.person_id AS key, p.load_hash AS load_hash
