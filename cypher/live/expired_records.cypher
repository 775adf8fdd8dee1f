// Live-only person records the retention policy removed from the warehouse, with what
// only they made: their involvements' references on PARTY_TO, review pairs naming them,
// and a live person left with no record (`crimegraph retention apply`). Nodes a batch
// load has taken over (load_hash set) are the loader's to remove.
// $records: [source record key "<system>:<record id>"]
UNWIND $records AS key
MATCH (s:SourceRecord {key: key})
WHERE s.live AND s.load_hash IS NULL
OPTIONAL MATCH (s)-[:RESOLVED_TO]->(p:Person)
WITH s, p, [s.system + ':' + s.record_ref] +
     [(s)-[ri:RECORDED_IN]->() | s.system + ':' + ri.record_id] AS refs
CALL (p, refs) {
  WITH p, refs WHERE p IS NOT NULL
  MATCH (p)-[r:PARTY_TO]->()
  SET r.records = [x IN r.records WHERE NOT x IN refs]
  WITH r WHERE size(r.records) = 0
  DELETE r
}
CALL (s) {
  MATCH (rp:ReviewPair)-[:LEFT|RIGHT]->(s)
  WHERE rp.load_hash IS NULL
  DETACH DELETE rp
}
SET p.record_count = p.record_count - 1
DETACH DELETE s
WITH collect(DISTINCT p) AS people, count(*) AS records
WITH records, [p IN people WHERE p.live AND p.load_hash IS NULL
                 AND NOT EXISTS { (p)<-[:RESOLVED_TO]-(:SourceRecord) }] AS bare
FOREACH (p IN bare | DETACH DELETE p)
RETURN records, size(bare) AS people
