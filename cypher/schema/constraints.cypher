// Uniqueness constraints (each also gives the index MERGE and lookups use).
CREATE CONSTRAINT force_code IF NOT EXISTS FOR (f:Force) REQUIRE f.code IS UNIQUE;
CREATE CONSTRAINT area_lsoa IF NOT EXISTS FOR (a:Area) REQUIRE a.lsoa IS UNIQUE;
CREATE CONSTRAINT location_id IF NOT EXISTS FOR (l:Location) REQUIRE l.location_id IS UNIQUE;
CREATE CONSTRAINT incident_id IF NOT EXISTS FOR (i:Incident) REQUIRE i.incident_id IS UNIQUE;
CREATE INDEX incident_month IF NOT EXISTS FOR (i:Incident) ON (i.month);
CREATE INDEX incident_crime_type IF NOT EXISTS FOR (i:Incident) ON (i.crime_type);
CREATE INDEX location_h3 IF NOT EXISTS FOR (l:Location) ON (l.h3);
CREATE POINT INDEX location_point IF NOT EXISTS FOR (l:Location) ON (l.point);
