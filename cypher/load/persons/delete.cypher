// A person no run produces any more (merged into another, or split): its records have
// moved (PersonLineage keeps where to).
UNWIND $rows AS row
MATCH (p:Person {person_id: row.key})
DETACH DELETE p
