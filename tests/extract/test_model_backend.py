"""The transformers backend, on a tiny random-weight BERT built here (proves the code path only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ckg_rdf.extract.concepts.base import CONCEPT_TYPES, ExtractorError
from ckg_rdf.extract.concepts.model import map_label

LABELS = ["O", "B-Disease", "I-Disease", "B-Chemical", "I-Chemical", "B-Species", "I-Species"]
TEXTS = [
    "Patients with COVID-19 pneumonia received remdesivir.",
    "SARS-CoV-2 binds ACE2 in the lung.",
    "",
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    out = tmp_path_factory.mktemp("tiny-ner")
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(
        vocab_size=200, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    )
    tok.train_from_iterator(TEXTS * 5, trainer)
    vocab = sorted(tok.get_vocab().items(), key=lambda kv: kv[1])
    (out / "vocab.txt").write_text("\n".join(t for t, _ in vocab) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizer(vocab_file=str(out / "vocab.txt"), do_lower_case=True)
    config = transformers.BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    import torch

    torch.manual_seed(0)
    model = transformers.BertForTokenClassification(config)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def test_label_mapping() -> None:
    assert map_label("B-Disease") == "MEDICAL_CONDITION"
    assert map_label("I-CHEMICAL") == "MEDICATION"
    assert map_label("Species") == "ORGANISM"
    assert map_label("GENE_OR_PROTEIN") == "GENE_OR_PROTEIN"
    assert map_label("MISC") is None


def test_model_backend_runs_and_returns_valid_spans(tiny_model: Path) -> None:
    from ckg_rdf.corpus.records import PaperRecord
    from ckg_rdf.extract.concepts.model import TransformersExtractor
    from ckg_rdf.pipeline.concepts_step import ConceptStep
    from ckg_rdf.rdf.iris import IriScheme

    ex = TransformersExtractor(tiny_model, batch_size=2)
    assert ex.name == "model" and ex.version.startswith("model-")
    results = ex.extract_batch(TEXTS)
    assert len(results) == len(TEXTS) and results[2] == []
    n = 0
    for text, mentions in zip(TEXTS, results, strict=True):
        for m in mentions:
            n += 1
            assert m.type in CONCEPT_TYPES
            assert text[m.start : m.end] == m.text
            assert ex.concept(m.concept_id) is not None
    # random weights: spans are arbitrary, but the step must turn whatever comes into triples
    step = ConceptStep(instance=ex)
    paper = PaperRecord(paper_id="p1", title=TEXTS[0], abstract=TEXTS[1])
    out = step.run([paper], IriScheme())
    assert out.counts["mentions"] == sum(len(r) for r in ex.extract_batch(TEXTS[:2]))
    assert step.static_triples(IriScheme())  # at least the concept-type triples
    assert n >= 0 and isinstance(out.triples, list)


def test_model_backend_clear_errors(tmp_path: Path) -> None:
    from ckg_rdf.extract.concepts.model import TransformersExtractor

    with pytest.raises(ExtractorError, match="not a folder"):
        TransformersExtractor(tmp_path / "missing")
    with pytest.raises(ExtractorError, match="config.json"):
        TransformersExtractor(tmp_path)
