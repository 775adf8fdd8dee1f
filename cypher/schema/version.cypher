// The graph's schema version (null: none recorded), and whether it holds anything else.
OPTIONAL MATCH (v:CrimegraphSchema {name: 'graph'})
RETURN v.version AS version,
       EXISTS { MATCH (n) WHERE NOT n:CrimegraphSchema } AS has_data
