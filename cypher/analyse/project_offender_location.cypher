// Places joined to the people suspected of offending there (Location -> Person), for node
// similarity between places.
MATCH (l:Location)<-[:OCCURRED_AT]-(:Incident)<-[:PARTY_TO {role: 'suspect'}]-(p:Person)
WITH DISTINCT l, p
WITH gds.graph.project($graph_name, l, p, {relationshipType: 'OFFENDED_BY'}) AS g
RETURN g.graphName AS graph, g.nodeCount AS nodes, g.relationshipCount AS relationships
