"""core: what every stage may use and that imports nothing else of crimegraph's:
typed settings from the environment, the error root, the warehouse schema and connection."""
