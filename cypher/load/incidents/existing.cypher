MATCH (i:Incident) RETURN i.incident_id AS key, i.load_hash AS load_hash
