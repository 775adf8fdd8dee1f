// live: made by the live path and never loaded from the warehouse (kept by the loader).
MATCH ()-[r:PARTY_TO]->()
RETURN r.key AS key, r.load_hash AS load_hash,
       coalesce(r.live, false) AND r.load_hash IS NULL AS live
