"""Turning records into facts: identity, citation resolution, concepts, topics."""
