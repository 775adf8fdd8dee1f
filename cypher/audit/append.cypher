// Append audit entries (one group commit). Created only: no statement anywhere updates or
// deletes one.
// $entries: [{entry_id, at, who, role, what, purpose, records, arguments, request_id}]
UNWIND $entries AS entry
CREATE (e:AuditEntry)
SET e = entry
