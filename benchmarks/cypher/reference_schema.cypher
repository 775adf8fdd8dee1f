// The server-side reference's own label, with the constraint and indexes :Incident has,
// so each write maintains what a real incident write maintains.
CREATE CONSTRAINT reference_incident_id IF NOT EXISTS
  FOR (i:ReferenceIncident) REQUIRE i.incident_id IS UNIQUE;
CREATE INDEX reference_incident_month IF NOT EXISTS FOR (i:ReferenceIncident) ON (i.month);
CREATE INDEX reference_incident_crime_type IF NOT EXISTS
  FOR (i:ReferenceIncident) ON (i.crime_type);
