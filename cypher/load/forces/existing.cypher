MATCH (f:Force) RETURN f.code AS key, f.load_hash AS load_hash
