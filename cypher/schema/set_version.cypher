// Record the graph's schema version, with when and by which crimegraph it was reached.
MERGE (v:CrimegraphSchema {name: 'graph'})
SET v.version = $version, v.migrated_at = datetime(), v.crimegraph = $crimegraph
