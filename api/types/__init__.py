"""GraphQL types, one module per group of users."""
