// A page of the audit log, newest first; $after_at/$after_id: the cursor (or null).
MATCH (e:AuditEntry)
WHERE $after_at IS NULL OR e.at < $after_at OR (e.at = $after_at AND e.entry_id < $after_id)
RETURN e {.*} AS entry
ORDER BY e.at DESC, e.entry_id DESC
LIMIT $limit
