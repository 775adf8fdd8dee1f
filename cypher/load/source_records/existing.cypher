MATCH (s:SourceRecord) RETURN s.key AS key, s.load_hash AS load_hash
