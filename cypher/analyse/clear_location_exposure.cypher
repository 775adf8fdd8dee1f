MATCH (l:Location) WHERE l.network_count IS NOT NULL
CALL (l) { REMOVE l.network_count, l.network_exposure } IN TRANSACTIONS OF 10000 ROWS
