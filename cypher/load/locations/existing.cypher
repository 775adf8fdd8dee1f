MATCH (l:Location) WHERE l.kind = 'street' OR l.kind IS NULL
RETURN l.location_id AS key, l.load_hash AS load_hash
