// How many audit entries there are.
MATCH (e:AuditEntry)
RETURN count(e) AS total
