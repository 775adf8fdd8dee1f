"""GraphQL resolvers, one module per group of users; the schema wires them to fields."""
