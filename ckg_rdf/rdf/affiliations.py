"""Triples for the affiliation each author entry gives on its paper (``ckg:entryAffiliation``).

``ckg_rdf.rdf.papers`` links an author to every institution they were ever
affiliated with (``ckg:affiliatedWith``), which loses *when*. Here each author
entry (``{paper}#author-{n}``, numbered exactly as ``paper_triples`` numbers
the kept authors) names the institutions given on that paper, so the paper's
date says when an author was where, and an institution's papers are the
papers an author signed with it.
"""

from __future__ import annotations

from collections.abc import Iterator

from pyoxigraph import Triple

from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.extract.identity import author_identity, institution_id
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.vocab import CKG


def entry_affiliation_triples(paper: PaperRecord, iris: IriScheme) -> Iterator[Triple]:
    position = 0
    for author in paper.authors:
        if author_identity(author) is None:
            continue
        position += 1  # the same count as paper_triples: kept authors only
        entry = iris.authorship(paper.paper_id, position)
        seen: set[str] = set()
        for aff in author.affiliations:
            inst = institution_id(aff)
            if inst is None or inst in seen:
                continue
            seen.add(inst)
            yield Triple(entry, CKG.entryAffiliation, iris.institution(inst))
