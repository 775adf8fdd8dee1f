// Uniqueness constraints (each also gives the index MERGE and lookups use).
CREATE CONSTRAINT force_code IF NOT EXISTS FOR (f:Force) REQUIRE f.code IS UNIQUE;
CREATE CONSTRAINT area_lsoa IF NOT EXISTS FOR (a:Area) REQUIRE a.lsoa IS UNIQUE;
CREATE CONSTRAINT location_id IF NOT EXISTS FOR (l:Location) REQUIRE l.location_id IS UNIQUE;
CREATE CONSTRAINT incident_id IF NOT EXISTS FOR (i:Incident) REQUIRE i.incident_id IS UNIQUE;
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (p:Person) REQUIRE p.person_id IS UNIQUE;
CREATE CONSTRAINT source_record_key IF NOT EXISTS FOR (s:SourceRecord) REQUIRE s.key IS UNIQUE;
CREATE CONSTRAINT person_lineage_key IF NOT EXISTS FOR (n:PersonLineage) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT review_pair_id IF NOT EXISTS FOR (p:ReviewPair) REQUIRE p.pair_id IS UNIQUE;
CREATE CONSTRAINT match_decision_id IF NOT EXISTS FOR (d:MatchDecision) REQUIRE d.decision_id IS UNIQUE;
// Lookups on hot paths.
CREATE INDEX incident_month IF NOT EXISTS FOR (i:Incident) ON (i.month);
CREATE INDEX incident_crime_type IF NOT EXISTS FOR (i:Incident) ON (i.crime_type);
CREATE INDEX location_h3 IF NOT EXISTS FOR (l:Location) ON (l.h3);
CREATE INDEX location_kind IF NOT EXISTS FOR (l:Location) ON (l.kind);
CREATE POINT INDEX location_point IF NOT EXISTS FOR (l:Location) ON (l.point);
CREATE INDEX person_network IF NOT EXISTS FOR (p:Person) ON (p.network_id);
CREATE INDEX person_lineage_from IF NOT EXISTS FOR (n:PersonLineage) ON (n.from_person_id);
CREATE INDEX source_record_system IF NOT EXISTS FOR (s:SourceRecord) ON (s.system, s.record_id);
CREATE INDEX review_pair_status IF NOT EXISTS FOR (p:ReviewPair) ON (p.status);
CREATE INDEX party_to_key IF NOT EXISTS FOR ()-[r:PARTY_TO]-() ON (r.key);
CREATE INDEX lives_at_key IF NOT EXISTS FOR ()-[r:LIVES_AT]-() ON (r.key);
CREATE FULLTEXT INDEX source_record_names IF NOT EXISTS
  FOR (s:SourceRecord) ON EACH [s.forename, s.surname, s.postcode];
