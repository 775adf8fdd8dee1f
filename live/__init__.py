"""Live ingest: records in over GraphQL or HTTP, journalled durably before they are
acknowledged, applied to the graph and the map layers in order, pushed to subscribers."""
