// Record the graph's schema version and the crimegraph that reached it (no timestamp: two
// loads of the same warehouse give the same graph, byte for byte).
MERGE (v:CrimegraphSchema {name: 'graph'})
SET v.version = $version, v.crimegraph = $crimegraph
