// Locations whose H3 cell (resolution 9) is one of $cells.
UNWIND $cells AS cell
MATCH (l:Location {h3: cell})
RETURN l.location_id AS location_id
