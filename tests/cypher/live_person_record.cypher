// $key: one source record, the people it resolves to and the review pairs it is in
// (live person tests).
MATCH (s:SourceRecord {key: $key})
OPTIONAL MATCH (s)-[r:RESOLVED_TO]->(p:Person)
RETURN s {.*} AS record, collect(p {.*}) AS people, collect(r {.*}) AS links,
       COUNT { (s)<-[:LEFT|RIGHT]-(:ReviewPair) } AS pairs
