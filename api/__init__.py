"""api: the GraphQL API (strawberry on uvicorn) over the Neo4j graph."""
