MATCH (d:MatchDecision) RETURN d.decision_id AS key, d.load_hash AS load_hash
