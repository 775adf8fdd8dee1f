// live: written by the live path and never loaded from the warehouse (kept by the loader).
MATCH (l:Location) WHERE l.kind = 'street' OR l.kind IS NULL
RETURN l.location_id AS key, l.load_hash AS load_hash,
       coalesce(l.live, false) AND l.load_hash IS NULL AS live
