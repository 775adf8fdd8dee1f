"""`python -m benchmarks`: every benchmark in turn; each writes var/bench/<name>.json."""

import importlib
import sys

BENCHMARKS = ("foundation", "ingest", "sources_suggest")

if __name__ == "__main__":
    chosen = sys.argv[1:] or BENCHMARKS
    for name in chosen:
        print(f"== benchmark: {name}")
        importlib.import_module(f"benchmarks.{name}").main()
