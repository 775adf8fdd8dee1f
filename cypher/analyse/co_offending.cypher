// People suspected in the same incident co-offended. Weight: each shared incident counts
// 0.5^(months before $as_of / $half_life_months), so recent co-offending weighs more.
MATCH (a:Person)-[:PARTY_TO {role: 'suspect'}]->(i:Incident)<-[:PARTY_TO {role: 'suspect'}]-(b:Person)
WHERE a.person_id < b.person_id AND i.month IS NOT NULL
WITH a, b, i,
     $as_of_index - (toInteger(substring(i.month, 0, 4)) * 12 + toInteger(substring(i.month, 5, 2)))
       AS months_ago
WITH a, b, count(DISTINCT i) AS incidents,
     sum(0.5 ^ (toFloat(CASE WHEN months_ago < 0 THEN 0 ELSE months_ago END) / $half_life_months))
       AS weight
CREATE (a)-[:CO_OFFENDED_WITH {weight: weight, incidents: incidents}]->(b)
RETURN count(*) AS relationships
