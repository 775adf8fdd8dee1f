"""`python -m benchmarks [NAME ...]`: benchmarks in turn (all by default), each with its
defaults; each writes var/bench/<name>.json. Run one alone for its own options, e.g.
`python -m benchmarks.resolution scale`."""

import importlib
import sys

BENCHMARKS = ("foundation", "ingest", "sources_suggest", "resolution")

if __name__ == "__main__":
    chosen = sys.argv[1:] or BENCHMARKS
    for name in chosen:
        print(f"== benchmark: {name}")
        sys.argv = [f"benchmarks.{name}"]  # each runs with its defaults
        importlib.import_module(f"benchmarks.{name}").main()
