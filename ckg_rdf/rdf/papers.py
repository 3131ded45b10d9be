"""Triples for papers, their authors and the authors' institutions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Triple

from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.extract.identity import author_identity, institution_id
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.vocab import CKG, DOI_IRI, PMC_IRI, PUBMED_IRI, RDF, RDFS, SCHEMA, XSD

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")


def publication_date(value: str) -> Literal | None:
    """'2020-03-01' -> xsd:date, '2020' -> xsd:gYear, anything else -> None."""
    value = value.strip()
    if _DATE.match(value):
        return Literal(value, datatype=XSD.date)
    if _YEAR.match(value):
        return Literal(value, datatype=XSD.gYear)
    return None


def _lit(value: str) -> Literal:
    return Literal(value)


def paper_triples(
    paper: PaperRecord, iris: IriScheme, described: set[str] | None = None
) -> Iterator[Triple]:
    """Everything a paper record asserts: the paper, its authors, their institutions.

    Each kept author also gets a ``ckg:Authorship`` node (``{paper}#author-{n}``)
    with its 1-based position among the kept authors, so the order survives.

    ``described`` (the ids of the authors and institutions whose names were already
    written for the batch; updated here) skips writing a name twice: an author's name
    triples are the same on each of their papers, and a batch repeats them often.
    """
    p = iris.paper(paper.paper_id)
    yield Triple(p, RDF.type, CKG.Paper)
    title = paper.title or f"Untitled paper {paper.paper_id}"
    yield Triple(p, RDFS.label, _lit(title))
    if paper.title:
        yield Triple(p, CKG.title, _lit(paper.title))
    if paper.abstract:
        yield Triple(p, CKG.abstract, _lit(paper.abstract))
    identifiers: list[tuple[NamedNode, str]] = [
        (CKG.cordUid, paper.cord_uid),
        (CKG.doi, paper.doi),
        (CKG.pmid, paper.pmid),
        (CKG.pmcid, paper.pmcid),
        (CKG.arxivId, paper.arxiv_id),
        (CKG.s2Id, paper.s2_id),
        (CKG.magId, paper.mag_id),
        (CKG.whoCovidenceId, paper.who_covidence_id),
        *((CKG.sha, sha) for sha in paper.shas),
    ]
    for predicate, value in identifiers:
        if value:
            yield Triple(p, predicate, _lit(value))
    yield from same_as(p, paper)
    date = publication_date(paper.publish_time)
    if date is not None:
        yield Triple(p, CKG.publicationDate, date)
    if paper.journal:
        yield Triple(p, CKG.journal, _lit(paper.journal))
    if paper.license:
        yield Triple(p, CKG.license, _lit(paper.license))
    for url in paper.urls:
        yield Triple(p, CKG.url, Literal(url, datatype=XSD.anyURI))
    for source in paper.sources:
        yield Triple(p, CKG.sourceCollection, _lit(source))
    position = 0
    for author in paper.authors:  # in the order the source gives them
        ident = author_identity(author)
        if ident is None:
            continue
        position += 1
        a = iris.author(ident.author_id)
        yield Triple(p, CKG.authoredBy, a)
        entry = iris.authorship(paper.paper_id, position)
        yield Triple(p, CKG.qualifiedAuthorship, entry)
        yield Triple(entry, RDF.type, CKG.Authorship)
        yield Triple(entry, CKG.author, a)
        yield Triple(entry, CKG.authorPosition, Literal(str(position), datatype=XSD.integer))
        # keyed by what is written, not the IRI alone: two spellings may share an IRI
        key = f"{a.value} {ident.display_name} {ident.first} {ident.middle} {ident.last}"
        if _first_time(described, key):
            yield Triple(a, RDF.type, CKG.Author)
            yield Triple(a, RDFS.label, _lit(ident.display_name))
            yield Triple(a, CKG.name, _lit(ident.display_name))
            yield Triple(a, CKG.familyName, _lit(ident.last))
            if ident.first:
                yield Triple(a, CKG.givenName, _lit(ident.first))
            if ident.middle:
                yield Triple(a, CKG.middleName, _lit(ident.middle))
        if author.email and "@" in author.email:
            yield Triple(a, CKG.email, _lit(author.email))
        for aff in author.affiliations:
            inst_id = institution_id(aff)
            if inst_id is None:
                continue
            i = iris.institution(inst_id)
            yield Triple(a, CKG.affiliatedWith, i)
            # the name and place of an institution are what its entry says: keyed by both
            key = f"{i.value} {aff.institution} {aff.location}"
            if not _first_time(described, key):
                continue
            yield Triple(i, RDF.type, CKG.Institution)
            yield Triple(i, RDFS.label, _lit(aff.institution))
            yield Triple(i, CKG.institutionName, _lit(aff.institution))
            loc = aff.location
            for predicate, value in (
                (CKG.settlement, loc.settlement),
                (CKG.region, loc.region),
                (CKG.country, loc.country),
            ):
                if value:
                    yield Triple(i, predicate, _lit(value))


def _first_time(described: set[str] | None, key: str) -> bool:
    """Whether ``key`` is new to ``described`` (recording it); always, without a set."""
    if described is None:
        return True
    if key in described:
        return False
    described.add(key)
    return True


def same_as(node: NamedNode, paper: PaperRecord) -> Iterator[Triple]:
    """``schema:sameAs`` the IRIs other graphs use for the paper (DOI, PubMed, PMC), so a
    federated query can join on them."""
    targets = []
    if paper.doi:
        targets.append(DOI_IRI + quote(paper.doi, safe="/:;()._-"))
    if paper.pmid:
        targets.append(PUBMED_IRI + quote(paper.pmid, safe=""))
    if paper.pmcid:
        targets.append(PMC_IRI + quote(paper.pmcid, safe="") + "/")
    for iri in targets:
        yield Triple(node, SCHEMA.sameAs, NamedNode(iri))


def cites_triple(citing: str, cited: str, iris: IriScheme) -> Triple:
    return Triple(iris.paper(citing), CKG.cites, iris.paper(cited))
