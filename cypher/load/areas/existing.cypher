MATCH (a:Area) RETURN a.lsoa AS key, a.load_hash AS load_hash
