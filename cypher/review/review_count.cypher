// How many review pairs are open.
MATCH (rp:ReviewPair {status: 'open'})
RETURN count(rp) AS total
