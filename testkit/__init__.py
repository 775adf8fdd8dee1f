"""testkit: helpers the tests and the benchmarks share (throwaway Neo4j settings, free
ports, the API in its own process, the browser harness), so neither imports the other's."""

# The id key tests and benchmarks resolve under when no server's key is involved (a
# server's own is ``settings.id_secret``, kept in its data directory).
ID_KEY = b"testkit id key: not a production secret"
