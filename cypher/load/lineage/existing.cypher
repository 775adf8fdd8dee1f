MATCH (n:PersonLineage) RETURN n.key AS key, n.load_hash AS load_hash
