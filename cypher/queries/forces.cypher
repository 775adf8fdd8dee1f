// Every force, with how many incidents it reported.
MATCH (f:Force)
RETURN f.code AS code,
       f.name AS name,
       f.pfa_code AS pfa_code,
       COUNT { (f)<-[:REPORTED_BY]-(:Incident) } AS incident_count
ORDER BY code
