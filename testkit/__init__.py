"""testkit: helpers the tests and the benchmarks share (throwaway Neo4j settings, free
ports, the API in its own process, the browser harness), so neither imports the other's."""
