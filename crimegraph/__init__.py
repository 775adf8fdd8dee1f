"""crimegraph: entity resolution and a POLE knowledge graph behind a crime map."""

__version__ = "0.1.0"
