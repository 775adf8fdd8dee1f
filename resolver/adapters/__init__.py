"""Source adapters: every source system behind one protocol (``base.SourceAdapter``),
used by both batch ingest (``crimegraph ingest``) and live intake (``ingestRecords``).

``police_uk`` is the data.police.uk street-level adapter; ``registered`` wraps any
source described by a registry YAML (``resolver/sources.py``); ``registry`` finds them
all by name. Adding a source system is a registry YAML, or, for a format the registry
cannot describe, one new adapter module listed in ``registry``.
"""
