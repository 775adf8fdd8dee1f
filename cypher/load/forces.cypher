// $rows: [{code, name, pfa_code}]
UNWIND $rows AS row
MERGE (f:Force {code: row.code})
SET f.name = row.name,
    f.pfa_code = row.pfa_code,
    f.sources = row.sources
