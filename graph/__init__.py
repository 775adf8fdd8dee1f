"""graph: the Neo4j side of crimegraph (server, connection, loading, analytics)."""
