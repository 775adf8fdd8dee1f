MATCH ()-[r:LIVES_AT]->() RETURN r.key AS key, r.load_hash AS load_hash
