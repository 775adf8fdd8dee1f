"""`python -m benchmarks [NAME ...]` (`make bench`): every benchmark in turn, each with its
defaults, each writing var/bench/<name>.json. The resolution benchmark runs three times:
its default accuracy sets, then the million-record scale set, then a million records of
the kinship generator's families (merged into the same file).
Run one alone for its own options, e.g. `python -m benchmarks.resolution febrl3`."""

import importlib
import sys

# (module, its arguments)
BENCHMARKS = (
    ("foundation", []),
    ("ingest", []),
    ("national", []),
    ("national", ["--scale", "1,2,4"]),
    ("sources_suggest", []),
    ("resolution", []),
    ("resolution", ["scale"]),
    ("resolution", ["kinship:3:480000"]),
    ("linkage_places_incidents", []),
    ("graph", []),
    ("forecast", []),
    ("responsible", []),
    ("api", []),
    ("live", []),
    ("live_linking", []),
    ("soak", []),
    ("web", []),
)

if __name__ == "__main__":
    chosen = set(sys.argv[1:])
    for name, args in BENCHMARKS:
        if chosen and name not in chosen:
            continue
        print(f"== benchmark: {name} {' '.join(args)}".rstrip())
        sys.argv = [f"benchmarks.{name}"]  # no stray arguments reach a benchmark's parser
        module = importlib.import_module(f"benchmarks.{name}")
        module.main(args) if args else module.main()
