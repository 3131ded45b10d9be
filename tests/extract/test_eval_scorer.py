"""The NER evaluation's scorer on a hand-made IOB snippet, against figures computed by hand.

Text of the one document (two sentences, tokens joined by spaces):
``Aspirin induced liver damage in rats . Doxorubicin ( DOX ) cardiotoxicity .``
Gold: Chemical Aspirin (0-7), Doxorubicin (39-50), DOX (53-56); Disease
liver damage (16-28), cardiotoxicity (59-73). Predictions below; by hand:
Chemical 3 gold, 2 predicted, strict 1 TP (Aspirin), overlap 2 TP (Aspirin;
"Doxorubicin ( DOX" overlaps both gold chemicals but is used once);
Disease 2 gold, 2 predicted, strict 0 TP, overlap 1 TP ("damage"); the
ORGANISM prediction is not a BC5CDR class and is ignored.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ckg_rdf.extract.concepts.evaluation import documents, predicted_spans, score
from ckg_rdf.extract.concepts.learned.corpora import EVAL_TYPES, iob_spans, read_iob

IOB = """Aspirin\tB-Chemical
induced\tO
liver\tB-Disease
damage\tI-Disease
in\tO
rats\tO
.\tO

Doxorubicin\tB-Chemical
(\tO
DOX\tB-Chemical
)\tO
cardiotoxicity\tB-Disease
.\tO
"""


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "devel.tsv"
    path.write_text(IOB, encoding="utf-8")
    return path


def test_iob_spans() -> None:
    tags = ["B-X", "I-X", "O", "I-Y", "B-Y", "B-Y", "I-Y"]
    assert iob_spans(tags) == [(0, 2, "X"), (3, 4, "Y"), (4, 5, "Y"), (5, 7, "Y")]


def test_documents_rebuild_text_and_gold_spans(corpus: Path) -> None:
    types = EVAL_TYPES["BC5CDR-IOB"]
    (doc,) = documents(read_iob(corpus), types, block=10)
    assert doc.text == (
        "Aspirin induced liver damage in rats . Doxorubicin ( DOX ) cardiotoxicity ."
    )
    assert sorted(doc.gold) == [
        (0, 7, "Chemical"),
        (16, 28, "Disease"),
        (39, 50, "Chemical"),
        (53, 56, "Chemical"),
        (59, 73, "Disease"),
    ]
    assert [doc.text[s:e] for s, e, _ in sorted(doc.gold)] == [
        "Aspirin",
        "liver damage",
        "Doxorubicin",
        "DOX",
        "cardiotoxicity",
    ]
    # one sentence per document: two documents, offsets restart
    docs = documents(read_iob(corpus), types, block=1)
    assert len(docs) == 2 and (0, 11, "Chemical") in docs[1].gold


def test_strict_and_overlap_scores(corpus: Path) -> None:
    types = EVAL_TYPES["BC5CDR-IOB"]
    (doc,) = documents(read_iob(corpus), types, block=10)
    mentions = [
        (0, 7, "MEDICATION"),
        (22, 28, "MEDICAL_CONDITION"),
        (39, 56, "CHEMICAL"),
        (59, 73, "ORGANISM"),
        (32, 36, "MEDICAL_CONDITION"),
    ]
    result = score([doc.gold], [predicted_spans(mentions, types)])
    chem_s, chem_o = result["strict"]["Chemical"], result["overlap"]["Chemical"]
    dis_s, dis_o = result["strict"]["Disease"], result["overlap"]["Disease"]
    assert (chem_s.tp, chem_s.pred, chem_s.gold) == (1, 2, 3)
    assert (chem_o.tp, chem_o.pred, chem_o.gold) == (2, 2, 3)
    assert (dis_s.tp, dis_s.pred, dis_s.gold) == (0, 2, 2)
    assert (dis_o.tp, dis_o.pred, dis_o.gold) == (1, 2, 2)
    assert chem_s.prf() == pytest.approx((0.5, 1 / 3, 0.4))
    assert chem_o.prf() == pytest.approx((1.0, 2 / 3, 0.8))
    assert dis_s.prf() == (0.0, 0.0, 0.0)
    assert dis_o.prf() == pytest.approx((0.5, 0.5, 0.5))
    assert set(result["strict"]) == {"Chemical", "Disease"}


def test_duplicate_predictions_count_once_as_true_positive() -> None:
    gold = [[(0, 3, "Gene")]]
    pred = [[(0, 3, "Gene"), (0, 3, "Gene")]]
    c = score(gold, pred)["strict"]["Gene"]
    assert (c.tp, c.pred, c.gold) == (1, 2, 1)
