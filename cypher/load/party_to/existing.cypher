MATCH ()-[r:PARTY_TO]->() RETURN r.key AS key, r.load_hash AS load_hash
