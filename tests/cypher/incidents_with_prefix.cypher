// $prefix: how many incidents have an id starting with it.
MATCH (i:Incident) WHERE i.incident_id STARTS WITH $prefix RETURN count(*) AS n
