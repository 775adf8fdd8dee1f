MATCH (l:Location) WHERE l.kind = 'address'
RETURN l.location_id AS key, l.load_hash AS load_hash
