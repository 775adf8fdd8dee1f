// A steward's decision on a review pair: a new MatchDecision, and the pair marked decided.
MATCH (rp:ReviewPair {pair_id: $pair_id})
CREATE (d:MatchDecision)
SET d = $decision, d.pair_id = rp.pair_id
CREATE (d)-[:DECIDES]->(rp)
SET rp.status = 'decided'
RETURN d {.*} AS decision
