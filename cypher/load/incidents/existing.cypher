// live: written by the live path and never loaded from the warehouse (kept by the loader).
MATCH (i:Incident)
RETURN i.incident_id AS key, i.load_hash AS load_hash,
       coalesce(i.live, false) AND i.load_hash IS NULL AS live
