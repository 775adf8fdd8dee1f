DROP CONSTRAINT reference_incident_id IF EXISTS;
DROP INDEX reference_incident_month IF EXISTS;
DROP INDEX reference_incident_crime_type IF EXISTS;
