"""ckg-rdf: an offline, linked-data knowledge graph of biomedical literature."""

__version__ = "0.1.0"
