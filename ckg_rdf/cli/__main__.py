"""``python -m ckg_rdf.cli``: the ``ckg`` command, for when the script is not on PATH."""

from ckg_rdf.cli import main

main()
