// Append one audit entry. Created only: no statement anywhere updates or deletes one.
// $entry: {entry_id, at, who, role, what, purpose, records, arguments}
CREATE (e:AuditEntry)
SET e = $entry
