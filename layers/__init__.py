"""layers: the map layers as served (risk, hotspots, forecasts, incidents, areas), their
shapes and their RFC 7946 GeoJSON encoding; read from the warehouse, updated by live."""
