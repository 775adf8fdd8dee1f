// Remove what the live path wrote that no batch load has taken over (live incidents and
// their locations, live person records, the people and review pairs they made), so a
// fresh journal starts from the batch graph (`crimegraph live reset`).
MATCH (n) WHERE (n:Incident OR n:Location OR n:SourceRecord OR n:Person OR n:ReviewPair)
  AND n.live AND n.load_hash IS NULL
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS
RETURN count(*) AS removed
