"""The learned (CRF) backend: training on a tiny corpus, extraction, linking, provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from ckg_rdf.extract.concepts.base import CONCEPT_TYPES, ConceptExtractor, ExtractorError
from ckg_rdf.extract.concepts.learned.corpora import Sentence
from ckg_rdf.extract.concepts.learned.tokens import split_sentences, tokenize
from ckg_rdf.extract.concepts.learned.train import ModelSpec, bio_labels, train_models
from ckg_rdf.extract.concepts.matcher import VocabularyMatcher

SENTENCES = [
    ("Cisplatin induced nephrotoxicity in rats .", "B-Chemical O B-Disease O O O"),
    ("Lithium caused tremor and polyuria .", "B-Chemical O B-Disease O B-Disease O"),
    ("Cocaine induced seizures in mice .", "B-Chemical O B-Disease O O O"),
    ("Haloperidol induced catalepsy .", "B-Chemical O B-Disease O"),
    ("We gave gentamicin and saw nephrotoxicity .", "O O B-Chemical O O B-Disease O"),
]


def test_tokens_match_the_corpora_and_keep_offsets() -> None:
    text = "22-Oxacalcitriol (OCT) in Parkinson's disease, e.g. at 3.5 mg. Next one."
    toks = tokenize(text)
    words = [text[s:e] for s, e in toks]
    assert words[:6] == ["22", "-", "Oxacalcitriol", "(", "OCT", ")"]
    assert words[7:10] == ["Parkinson", "'", "s"]
    sents = split_sentences(text, toks)
    assert len(sents) == 2  # not after "e.g." nor inside "3.5"
    assert words[sents[1][0]] == "Next"


def test_bio_labels_keep_only_the_models_types() -> None:
    sent = Sentence(["a", "b", "c", "d"], ["B-Chemical", "B-Disease", "I-Disease", "O"])
    assert bio_labels(sent, ("Disease",)) == ["O", "B", "I", "O"]
    assert bio_labels(sent, ("Chemical",)) == ["B", "O", "O", "O"]


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpora")
    corpus = root / "TINY-IOB"
    corpus.mkdir()
    lines = []
    for text, tags in SENTENCES * 3:
        lines += [f"{t}\t{g}" for t, g in zip(text.split(), tags.split(), strict=True)] + [""]
    (corpus / "train.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = root / "models"
    specs = [
        ModelSpec("disease", "MEDICAL_CONDITION", {"TINY-IOB": ("Disease",)}),
        ModelSpec("chemical", "CHEMICAL", {"TINY-IOB": ("Chemical",)}),
    ]
    train_models(root, out, specs=specs, log=lambda _m: None)
    return out


def test_tiny_models_train_and_extract(tiny_models: Path) -> None:
    from ckg_rdf.extract.concepts.learned.crf import CrfExtractor

    manifest = json.loads((tiny_models / "manifest.json").read_text())
    assert [m["name"] for m in manifest["models"]] == ["disease", "chemical"]
    ex = CrfExtractor(tiny_models)
    assert isinstance(ex, ConceptExtractor)
    assert ex.name == "learned" and ex.version.startswith("learned-")
    text = "Cisplatin induced nephrotoxicity in rats."
    mentions = ex.extract(text)
    assert [(m.text, m.type) for m in mentions] == [
        ("Cisplatin", "MEDICATION"),  # linked to the drug dictionary's concept
        ("nephrotoxicity", "MEDICAL_CONDITION"),
        ("rats", "ORGANISM"),  # no species tagger here: the vocabulary fills in organisms
    ]
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert 0.5 < m.score <= 1.0
        assert m.type in CONCEPT_TYPES
        assert ex.concept(m.concept_id) is not None
    assert mentions[0].concept_id.startswith("drugbank-")
    assert ex.extract_batch([text, ""]) == [mentions, []]


def test_unlinked_spans_become_their_own_concepts(tiny_models: Path) -> None:
    from ckg_rdf.extract.concepts.learned.crf import CrfExtractor

    ex = CrfExtractor(tiny_models)
    # the long form is tagged; its defined short form inherits type and concept
    text = "Gentamicin (GM) induced nephrotoxicity. GM is an aminoglycoside."
    found = [(m.text, m.type, m.concept_id) for m in ex.extract(text)]
    gm = [f for f in found if f[0] == "GM"]
    assert len(gm) == 2 and all(f[1] == found[0][1] and f[2] == found[0][2] for f in gm)
    info = ex.concept(found[0][2])
    assert info is not None and info.type in ("MEDICATION", "CHEMICAL")


def test_missing_models_are_a_clear_error(tmp_path: Path) -> None:
    from ckg_rdf.extract.concepts.learned.crf import CrfExtractor

    with pytest.raises(ExtractorError, match="manifest.json"):
        CrfExtractor(tmp_path)


def test_links_carry_backend_version_and_confidence(tiny_models: Path) -> None:
    from ckg_rdf.corpus.records import PaperRecord
    from ckg_rdf.extract.concepts.learned.crf import CrfExtractor
    from ckg_rdf.pipeline.concepts_step import ConceptStep
    from ckg_rdf.rdf.iris import IriScheme
    from ckg_rdf.vocab import CKG_NS

    ex = CrfExtractor(tiny_models, matcher=VocabularyMatcher())
    step = ConceptStep(instance=ex)
    paper = PaperRecord(paper_id="p1", title="Lithium caused tremor and polyuria.")
    store = ox.Store()
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object) for t in step.run([paper], IriScheme()).triples
    )
    q = f"""PREFIX ckg: <{CKG_NS}> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?s ?v ?agent WHERE {{ ?a a ckg:ConceptAnnotation ; ckg:score ?s ;
          ckg:extractorVersion ?v ; prov:wasAttributedTo ?agent }}"""
    rows = list(store.query(q))
    assert len(rows) == 3
    for r in rows:
        assert 0.5 < float(r["s"].value) <= 1.0
        assert ex.version in r["v"].value
        assert r["agent"].value == CKG_NS + "LearnedNer"


def test_models_trained_with_another_vocabulary_warn(tiny_models: Path, tmp_path: Path) -> None:
    import shutil

    from ckg_rdf.extract.concepts.learned.crf import CrfExtractor

    other = tmp_path / "models"
    shutil.copytree(tiny_models, other)
    manifest = json.loads((other / "manifest.json").read_text())
    # the gazetteer feature fired on other surfaces in training than it would now
    manifest["gazetteer_surfaces"] = "000000000000"
    (other / "manifest.json").write_text(json.dumps(manifest))
    with pytest.warns(UserWarning, match="retrain"):
        CrfExtractor(other)


def test_shipped_models_match_the_shipped_vocabulary() -> None:
    import warnings

    from ckg_rdf.extract.concepts.learned import make_learned_extractor

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex = make_learned_extractor()
    text = "Doxorubicin (DOX) caused cardiomyopathy in rats; DOX levels rose."
    found = [(m.text, m.type) for m in ex.extract(text)]
    assert ("Doxorubicin", "MEDICATION") in found
    assert ("cardiomyopathy", "MEDICAL_CONDITION") in found
    assert [t for w, t in found if w == "DOX"] == ["MEDICATION", "MEDICATION"]
