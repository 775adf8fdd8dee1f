"""The tests' and the benchmarks' own Cypher (seeds, probes, references), kept out of the
production ``cypher/`` tree and read through the same guarded loader."""

from __future__ import annotations

from core.settings import PROJECT_ROOT
from graph.cypher import CypherFiles

TESTS = CypherFiles(PROJECT_ROOT / "tests" / "cypher")
BENCHMARKS = CypherFiles(PROJECT_ROOT / "benchmarks" / "cypher")
