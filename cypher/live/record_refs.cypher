// $prefix: how many record references starting with it the incidents hold, and how many
// distinct (a record applied twice would show as refs > distinct_refs). Live benchmark.
MATCH (i:Incident)
UNWIND i.source_records AS ref
WITH ref WHERE ref STARTS WITH $prefix
RETURN count(ref) AS refs, count(DISTINCT ref) AS distinct_refs
