// Test data only: people, their source records and involvements, as docs/graph-model.md
// describes them. $people: [{person_id, name, date_of_birth, sex, network_id,
//   records: [{system, record_id, forename, surname, date_of_birth, sex, address,
//              postcode, match_probability, incidents: [{incident_id, role}]}]}]
UNWIND $people AS row
MERGE (p:Person {person_id: row.person_id})
SET p.name = row.name, p.date_of_birth = row.date_of_birth, p.sex = row.sex,
    p.network_id = row.network_id, p.record_count = size(row.records)
WITH p, row
UNWIND row.records AS rec
MERGE (r:SourceRecord {key: rec.system + ':' + rec.record_id})
SET r.system = rec.system, r.record_id = rec.record_id, r.kind = 'person',
    r.forename = rec.forename, r.surname = rec.surname, r.date_of_birth = rec.date_of_birth,
    r.sex = rec.sex, r.address = rec.address, r.postcode = rec.postcode
MERGE (r)-[rt:RESOLVED_TO]->(p)
SET rt.match_probability = rec.match_probability
WITH p, r, rec
UNWIND rec.incidents AS inv
MATCH (i:Incident {incident_id: inv.incident_id})
MERGE (r)-[ri:RECORDED_IN {record_id: rec.record_id}]->(i)
SET ri.role = inv.role
MERGE (p)-[pp:PARTY_TO]->(i)
SET pp.role = inv.role, pp.sources = [rec.system]
