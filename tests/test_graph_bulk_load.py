"""The bulk importer's CSV columns: the importer's types, and a clear refusal of the rest.

(That a bulk-imported graph equals a Cypher-loaded one is tested in test_graph_load.py,
beside the other load tests that share its resolved warehouse.)"""

import pytest

from graph import bulk_load


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        ("VARCHAR", '"p" AS "p:string"'),
        ("BIGINT", '"p" AS "p:long"'),
        ("FLOAT", '"p:double"'),
        ("VARCHAR[]", '"p:string[]"'),
        ("DOUBLE[]", '"p:double[]"'),
    ],
)
def test_columns_get_the_importers_types(kind, header) -> None:
    assert bulk_load._typed('"p"', "p", kind, where="t").endswith(header)


def test_a_column_the_importer_cannot_hold_is_refused_by_name() -> None:
    with pytest.raises(bulk_load.BulkLoadUnsupported, match="incidents: evidence is STRUCT"):
        bulk_load._typed('"evidence"', "evidence", "STRUCT(a INTEGER)", where="incidents")
