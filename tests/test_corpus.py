"""Reading release layouts, metadata rows and parses."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from ckg_rdf.corpus.fulltext import FullTextError, read_fulltext
from ckg_rdf.corpus.layout import CorpusError, CorpusLayout
from ckg_rdf.corpus.metadata import FINAL_COLUMNS, MetadataRow, read_metadata
from ckg_rdf.corpus.reader import parse_metadata_authors, read_corpus
from ckg_rdf.corpus.records import PaperRecord, Problem

SHA_A = "a" * 40
SHA_B = "b" * 40


def _parse(paper_id: str, title: str, author_last: str) -> dict:
    return {
        "paper_id": paper_id,
        "metadata": {
            "title": title,
            "authors": [
                {
                    "first": "Ann",
                    "middle": [],
                    "last": author_last,
                    "suffix": "",
                    "affiliation": {},
                    "email": "",
                }
            ],
        },
        "abstract": [],
        "body_text": [{"text": f"Body of {title}."}],
        "bib_entries": {},
        "ref_entries": {},
        "back_matter": [],
    }


def _final_release(root: Path) -> Path:
    """A tiny release in the final layout: one row with both a PDF and a PMC parse."""
    (root / "document_parses" / "pdf_json").mkdir(parents=True)
    (root / "document_parses" / "pmc_json").mkdir(parents=True)
    (root / "document_parses/pdf_json" / f"{SHA_A}.json").write_text(
        json.dumps(_parse(SHA_A, "PDF title", "Pdf"))
    )
    (root / "document_parses/pmc_json" / "PMC123.xml.json").write_text(
        json.dumps(_parse("PMC123", "PMC title", "Pmc"))
    )
    (root / "document_parses/pdf_json" / f"{SHA_B}.json").write_text(
        json.dumps(_parse(SHA_B, "An orphan parse", "Orphan"))
    )
    row = dict.fromkeys(FINAL_COLUMNS, "")
    row.update(
        cord_uid="abc12345",
        sha=SHA_A,
        pmcid="PMC123",
        title="Row title",
        pdf_json_files=f"document_parses/pdf_json/{SHA_A}.json",
        pmc_json_files="document_parses/pmc_json/PMC123.xml.json",
    )
    header = ",".join(FINAL_COLUMNS)
    (root / "metadata.csv").write_text(
        header + "\n" + ",".join(row[c] for c in FINAL_COLUMNS) + "\n"
    )
    return root


def test_final_layout_prefers_the_pmc_parse_and_keeps_orphan_parses(tmp_path) -> None:
    layout = CorpusLayout.discover(_final_release(tmp_path))
    papers = [p for p in read_corpus(layout) if isinstance(p, PaperRecord)]
    assert [p.paper_id for p in papers] == ["abc12345", SHA_B]
    joined = papers[0]
    assert joined.title == "Row title"  # the row wins where both speak
    assert [a.last for a in joined.authors] == ["Pmc"]  # PMC parse preferred over PDF
    assert joined.has_full_text


def test_a_missing_directory_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        CorpusLayout.discover(tmp_path / "nope")
    with pytest.raises(CorpusError, match="neither a metadata.csv"):
        CorpusLayout.discover(tmp_path)


def test_metadata_without_cord_uid_column_is_refused_with_the_reason(tmp_path) -> None:
    path = tmp_path / "metadata.csv"
    path.write_text("title,doi\nA title,10.1/x\n")
    items = list(read_metadata(path))
    assert len(items) == 1 and isinstance(items[0], Problem)
    assert "cord_uid" in items[0].reason


def test_missing_optional_columns_are_a_warning_and_rows_still_load(tmp_path) -> None:
    path = tmp_path / "metadata.csv"
    path.write_text("cord_uid,title\nx1,First\nx2,Second\n")
    items = list(read_metadata(path))
    warnings = [i for i in items if isinstance(i, Problem)]
    rows = [i for i in items if isinstance(i, MetadataRow)]
    assert [w.kind for w in warnings] == ["warning"]
    assert [r.get("cord_uid") for r in rows] == ["x1", "x2"]


def test_malformed_json_and_non_parse_json_are_reported(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"paper_id": "x", ')
    with pytest.raises(FullTextError, match="malformed JSON"):
        read_fulltext(bad)
    other = tmp_path / "other.json"
    other.write_text("[1, 2]")
    with pytest.raises(FullTextError, match="no top-level 'paper_id'"):
        read_fulltext(other)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"paper_id": "caf\xe9"}')
    with pytest.raises(FullTextError, match="not UTF-8"):
        read_fulltext(latin)


def test_preprint_doi_is_read_from_the_copyright_line_and_the_line_is_removed(sample_dir) -> None:
    path = next(sample_dir.glob("biorxiv_medrxiv/*.json"))
    raw = path.read_text()
    text = read_fulltext(path)
    assert text.doi.startswith("10.1101/") and text.doi in raw
    assert not any("copyright holder for this preprint" in p for p in text.body)


def test_a_parse_read_without_its_body_keeps_everything_else(sample_dir) -> None:
    """Builds whose steps read no body skip cleaning it; nothing else may change."""
    for path in sorted(sample_dir.glob("*/*.json"))[:40]:
        full, lean = read_fulltext(path), read_fulltext(path, body=False)
        assert lean.body == [] and (full.body or path.stat().st_size < 2000)
        assert replace(full, body=[]) == lean  # the preprint DOI is still read from the body


def test_a_build_reads_bodies_only_when_a_step_reads_them() -> None:
    from ckg_rdf.pipeline.affiliations_step import AffiliationsStep
    from ckg_rdf.pipeline.papers_step import PapersStep
    from ckg_rdf.pipeline.steps import StepDefaults

    assert not PapersStep.reads_body and not AffiliationsStep.reads_body
    assert StepDefaults.reads_body  # a step that does not say is given the body


def test_metadata_author_strings_are_split_into_names() -> None:
    authors = parse_metadata_authors("Madani, Tariq A; Al-Ghamdi, Aisha A.; WHO Team")
    assert [(a.last, a.first, a.middle) for a in authors] == [
        ("Madani", "Tariq", ("A",)),
        ("Al-Ghamdi", "Aisha", ("A.",)),
        ("WHO Team", "", ()),
    ]
