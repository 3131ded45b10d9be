"""The dataset description (VoID + DCAT at /.well-known/void) parses, and says what
'ckg stats' says: the same triples, nodes by type, edges by type and named graphs."""

from __future__ import annotations

import json

import httpx
import rdflib
from rdflib.namespace import DCAT, RDF, VOID

from tests.clitools import ckg
from tests.service.conftest import LiveServer

CKG = "https://w3id.org/ckg-rdf/ontology#"


def test_void_and_dcat_agree_with_ckg_stats(client: httpx.Client, live: LiveServer) -> None:
    r = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    ds = rdflib.URIRef(live.url + ".well-known/void#dataset")
    assert (ds, RDF.type, VOID.Dataset) in g and (ds, RDF.type, DCAT.Dataset) in g
    stats = json.loads(ckg("stats", "--store", str(live.store), "--json").stdout)
    assert int(g.value(ds, VOID.triples)) == stats["triples"]
    entities = {
        str(g.value(p, VOID["class"])): int(g.value(p, VOID.entities))
        for p in g.objects(ds, VOID.classPartition)
    }
    for name, n in stats["nodes"].items():
        assert entities.get(CKG + name, 0) == n, name
    triples_of = {
        str(g.value(p, VOID.property)): int(g.value(p, VOID.triples))
        for p in g.objects(ds, VOID.propertyPartition)
    }
    names = {
        "authored_by": "authoredBy",
        "affiliated_with": "affiliatedWith",
        "cites": "cites",
        "associated_concept": "associatedConcept",
        "associated_topic": "associatedTopic",
    }
    for name, n in stats["edges"].items():
        assert triples_of.get(CKG + names[name], 0) == n, name
    subsets = {
        str(s): int(g.value(s, VOID.triples))
        for s in g.objects(ds, VOID.subset)
        if (s, RDF.type, VOID.Dataset) in g
    }
    assert subsets == stats["graphs"]  # the description counts itself too
    # links out, licences, the endpoint and the dump
    linksets = [s for s in g.objects(ds, VOID.subset) if (s, RDF.type, VOID.Linkset) in g]
    assert linksets and all(int(g.value(s, VOID.triples)) > 0 for s in linksets)
    assert list(g.objects(ds, rdflib.URIRef("http://purl.org/dc/terms/license")))
    assert (ds, VOID.sparqlEndpoint, rdflib.URIRef(live.url + "sparql")) in g
    dump = g.value(ds, VOID.dataDump)
    assert dump is not None
    got = client.get(str(dump).replace(live.url, "/"))
    assert got.status_code == 200 and got.content[:2] == b"\x1f\x8b"  # gzip
