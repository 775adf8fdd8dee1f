MATCH (p:ReviewPair) RETURN p.pair_id AS key, p.load_hash AS load_hash
