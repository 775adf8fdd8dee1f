// Analytics are recomputed from scratch: remove the previous run's results.
MATCH ()-[r:CO_OFFENDED_WITH|SHARES_OFFENDERS_WITH]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
