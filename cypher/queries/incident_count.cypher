// Incidents a force reported, optionally in one month ($month 'YYYY-MM' or null).
MATCH (f:Force {code: $force})<-[:REPORTED_BY]-(i:Incident)
WHERE $month IS NULL OR i.month = $month
RETURN count(i) AS incident_count
