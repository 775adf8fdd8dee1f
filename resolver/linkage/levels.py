"""Custom comparison levels written once, in DuckDB's SQL, for any linkage backend.

Splink translates each condition (sqlglot) into the SQL of the backend that runs it; the
one spelling sqlglot does not know, the Jaro-Winkler similarity, comes from Splink's own
dialect for that backend (Splink bundles the function on Spark). Write list arithmetic
as ``array_length`` / ``array_intersect`` / ``list_contains`` and a list's last element as
``x[array_length(x)]``: those translate; ``len`` and ``list_last`` do not.
"""

from __future__ import annotations

import splink.comparison_level_library as cll
from splink.internals.dialects import SplinkDialect

BASE_DIALECT = "duckdb"


def level(sql_condition: str, label: str | None = None) -> cll.CustomLevel:
    """A custom level whose condition is DuckDB SQL, translated by Splink per backend."""
    return cll.CustomLevel(sql_condition, label, base_dialect_str=BASE_DIALECT)


def jaro_winkler(backend: str) -> str:
    """The Jaro-Winkler similarity function's name on ``backend`` (Splink's own spelling)."""
    return SplinkDialect.from_string(backend).jaro_winkler_function_name
