"""Reading a CORD-19 release: layouts, metadata.csv rows and full-text JSON.

This layer yields plain typed records and problems, never RDF.
"""
