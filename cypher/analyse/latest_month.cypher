MATCH (i:Incident) WHERE i.month IS NOT NULL RETURN max(i.month) AS month
