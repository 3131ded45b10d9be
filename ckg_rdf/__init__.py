"""ckg-rdf: an offline, linked-data knowledge graph of biomedical literature."""

__version__ = "0.2.0"
