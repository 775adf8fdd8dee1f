// Version 2: the version node is unique, and the audit log is searchable by time and by
// reader (an oversight question: who looked at people, when), not only scanned whole.
CREATE CONSTRAINT crimegraph_schema_name IF NOT EXISTS
  FOR (v:CrimegraphSchema) REQUIRE v.name IS UNIQUE;
CREATE INDEX audit_entry_at IF NOT EXISTS FOR (a:AuditEntry) ON (a.at);
CREATE INDEX audit_entry_who IF NOT EXISTS FOR (a:AuditEntry) ON (a.who);
