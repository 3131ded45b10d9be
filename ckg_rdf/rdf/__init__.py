"""Facts to triples. Nothing here knows about files or HTTP."""
