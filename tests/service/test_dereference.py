"""Every minted IRI answers GET: Turtle, JSON-LD, N-Triples, RDF/XML and HTML."""

from __future__ import annotations

import json

import httpx
import pytest
import rdflib

from tests.service.conftest import CHROMIUM, LiveServer, select

CKG = rdflib.Namespace("https://w3id.org/ckg-rdf/ontology#")
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}


def fetch(client: httpx.Client, iri: str, accept: str) -> httpx.Response:
    """GET an IRI exactly as written in the data (the graph's base is the server)."""
    return client.get(iri, headers={"Accept": accept})


def fetch_graph(client: httpx.Client, iri: str, accept: str = "text/turtle") -> rdflib.Graph:
    r = fetch(client, iri, accept)
    assert r.status_code == 200, (iri, r.status_code, r.text[:200])
    assert r.headers["content-type"].startswith(accept)
    return rdflib.Graph().parse(data=r.content, format=RDF_TYPES[accept])


@pytest.mark.parametrize("kind", ["paper", "author", "institution"])
@pytest.mark.parametrize("accept", list(RDF_TYPES))
def test_each_kind_in_each_format(
    client: httpx.Client, sample_ids: dict[str, str], kind: str, accept: str
) -> None:
    iri = sample_ids["cited" if kind == "paper" else kind]
    g = fetch_graph(client, iri, accept)
    assert (rdflib.URIRef(iri), None, None) in g
    r = fetch(client, iri, accept)
    assert r.headers["vary"] == "Accept"
    assert r.headers["content-location"].startswith("/" + kind + "/")


def test_description_has_outgoing_incoming_and_labels(
    client: httpx.Client, sample_ids: dict[str, str]
) -> None:
    paper, cited = rdflib.URIRef(sample_ids["paper"]), rdflib.URIRef(sample_ids["cited"])
    g = fetch_graph(client, str(cited))
    assert (paper, CKG.cites, cited) in g  # incoming
    assert g.value(paper, rdflib.RDFS.label) is not None  # the neighbour's label
    g = fetch_graph(client, str(paper))
    assert (paper, CKG.cites, cited) in g  # outgoing
    assert g.value(cited, rdflib.RDFS.label) is not None


def test_json_ld_is_compact_with_the_ontology_context(
    client: httpx.Client, sample_ids: dict[str, str]
) -> None:
    r = fetch(client, sample_ids["paper"], "application/ld+json")
    doc = r.json()
    assert doc["@context"]["authoredBy"] == {"@id": str(CKG.authoredBy), "@type": "@id"}
    nodes = doc.get("@graph", [doc])
    me = next(n for n in nodes if n["@id"] == sample_ids["paper"])
    assert me["@type"] == "Paper"
    authors = me["authoredBy"] if isinstance(me["authoredBy"], list) else [me["authoredBy"]]
    assert sample_ids["author"] in authors


def test_browsers_get_html(client: httpx.Client, sample_ids: dict[str, str]) -> None:
    r = fetch(client, sample_ids["author"], CHROMIUM)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["content-location"].endswith(".html")


def test_format_documents_and_format_parameter(
    client: httpx.Client, sample_ids: dict[str, str]
) -> None:
    iri = sample_ids["institution"]
    for ext, media_type in [
        ("ttl", "text/turtle"),
        ("nt", "application/n-triples"),
        ("jsonld", "application/ld+json"),
        ("rdf", "application/rdf+xml"),
        ("html", "text/html"),
    ]:
        r = client.get(f"{iri}.{ext}")
        assert r.status_code == 200 and r.headers["content-type"].startswith(media_type)
    r = client.get(iri, params={"format": "nt"}, headers={"Accept": "text/turtle"})
    assert r.headers["content-type"].startswith("application/n-triples")


def test_unknown_iris_are_404(client: httpx.Client, live: LiveServer) -> None:
    for path in ("paper/no-such-paper", "author/nobody-at-all", "topic/none.ttl"):
        r = client.get(live.url + path, headers={"Accept": "text/turtle"})
        assert r.status_code == 404, path
        assert "Traceback" not in r.text
    r = client.get(live.url + "paper/no-such-paper", headers={"Accept": CHROMIUM})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert client.get(live.url + "no-such-route").status_code == 404


def test_unacceptable_accept_is_406(client: httpx.Client, sample_ids: dict[str, str]) -> None:
    assert fetch(client, sample_ids["paper"], "image/png").status_code == 406


def test_follow_links_paper_author_institution(
    client: httpx.Client, sample_ids: dict[str, str]
) -> None:
    """From a paper's Turtle to an author's to the institution's, checked against SPARQL."""
    paper = rdflib.URIRef(sample_ids["paper"])
    g_paper = fetch_graph(client, str(paper))
    authors = set(g_paper.objects(paper, CKG.authoredBy))
    expected_authors = select(client, f"SELECT ?a WHERE {{ <{paper}> ckg:authoredBy ?a }}")
    assert {str(a) for a in authors} == {row["a"] for row in expected_authors}

    author = rdflib.URIRef(sample_ids["author"])
    assert author in authors
    g_author = fetch_graph(client, str(author))  # the IRI from the data, dereferenced as is
    assert (paper, CKG.authoredBy, author) in g_author  # the link back
    institutions = set(g_author.objects(author, CKG.affiliatedWith))
    expected = select(client, f"SELECT ?i WHERE {{ <{author}> ckg:affiliatedWith ?i }}")
    assert {str(i) for i in institutions} == {row["i"] for row in expected}

    institution = rdflib.URIRef(sample_ids["institution"])
    assert institution in institutions
    g_inst = fetch_graph(client, str(institution))
    assert (author, CKG.affiliatedWith, institution) in g_inst
    name = select(client, f"SELECT ?n WHERE {{ <{institution}> ckg:institutionName ?n }}")
    assert str(g_inst.value(institution, CKG.institutionName)) == name[0]["n"]
    assert g_inst.value(author, rdflib.RDFS.label) == g_author.value(author, rdflib.RDFS.label)


@pytest.mark.parametrize("accept", list(RDF_TYPES))
def test_ontology_at_its_own_address(client: httpx.Client, accept: str) -> None:
    r = client.get("/ontology", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    g = rdflib.Graph().parse(data=r.content, format=RDF_TYPES[accept])
    ontology = rdflib.URIRef("https://w3id.org/ckg-rdf/ontology")
    assert (ontology, rdflib.RDF.type, rdflib.OWL.Ontology) in g
    assert (CKG.Paper, rdflib.RDF.type, rdflib.OWL.Class) in g


def test_ontology_page_and_context(client: httpx.Client) -> None:
    r = client.get("/ontology", headers={"Accept": CHROMIUM})
    assert r.headers["content-type"].startswith("text/html")
    assert 'id="authoredBy"' in r.text
    ctx = json.loads(client.get("/context.jsonld").content)["@context"]
    assert ctx["ckg"] == str(CKG)


def test_a_paper_document_describes_its_author_entries(
    client: httpx.Client, sample_ids: dict[str, str]
) -> None:
    paper = rdflib.URIRef(sample_ids["paper"])
    g = fetch_graph(client, str(paper))
    entries = sorted(g.objects(paper, CKG.qualifiedAuthorship))
    assert entries, "the sample paper has author entries"
    positions = []
    for entry in entries:
        assert str(entry).startswith(str(paper) + "#author-")
        assert (entry, rdflib.RDF.type, CKG.Authorship) in g
        assert (paper, CKG.authoredBy, g.value(entry, CKG.author)) in g
        positions.append(g.value(entry, CKG.authorPosition).toPython())
    assert sorted(positions) == list(range(1, len(entries) + 1))


@pytest.mark.parametrize("accept", ["text/turtle", "text/html"])
def test_a_document_names_its_version_and_a_client_that_has_it_gets_304(
    client: httpx.Client, sample_ids: dict[str, str], accept: str
) -> None:
    iri = sample_ids["paper"]
    first, second = fetch(client, iri, accept), fetch(client, iri, accept)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content, "the second answer is the same document"
    tag = first.headers["etag"]
    assert tag == second.headers["etag"] and tag.startswith('"')
    again = client.get(iri, headers={"Accept": accept, "If-None-Match": f'W/"x", {tag}'})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    stale = client.get(iri, headers={"Accept": accept, "If-None-Match": '"old"'})
    assert stale.status_code == 200 and stale.content == first.content
    other_type = "application/n-triples" if accept == "text/turtle" else "text/turtle"
    other = fetch(client, iri, other_type)
    assert other.headers["etag"] != tag, "each representation has its own tag"


def test_an_unknown_iri_gets_no_tag_and_is_not_remembered(
    client: httpx.Client, sample_ids: dict[str, str]
) -> None:
    missing = sample_ids["paper"].rsplit("/", 1)[0] + "/no-such-paper"
    for _ in range(2):
        r = fetch(client, missing, "text/turtle")
        assert r.status_code == 404 and "etag" not in r.headers
