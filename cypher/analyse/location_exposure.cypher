// Offender networks active at each street location: how many distinct networks' members
// were suspects in incidents there, and exposure = 1 - 0.5^networks (0: none, -> 1: many).
MATCH (l:Location)<-[:OCCURRED_AT]-(:Incident)<-[:PARTY_TO {role: 'suspect'}]-(p:Person)
WHERE p.network_id IS NOT NULL
WITH l, count(DISTINCT p.network_id) AS networks
SET l.network_count = networks, l.network_exposure = 1.0 - 0.5 ^ networks
RETURN l.location_id AS location_id, networks, l.network_exposure AS exposure
