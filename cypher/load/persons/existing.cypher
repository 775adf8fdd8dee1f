// live: made by the live path and never loaded from the warehouse (kept by the loader).
MATCH (p:Person)
RETURN p.person_id AS key, p.load_hash AS load_hash,
       coalesce(p.live, false) AND p.load_hash IS NULL AS live
