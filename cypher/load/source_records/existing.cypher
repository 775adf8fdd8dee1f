// live: sent to the live path and never loaded from the warehouse (kept by the loader).
MATCH (s:SourceRecord)
RETURN s.key AS key, s.load_hash AS load_hash,
       coalesce(s.live, false) AND s.load_hash IS NULL AS live
