"""Citation resolution on real bibliography entries: each defect of issue 16 links, near misses
do not, and the exact-key rules still hold.

The defect cases are entries of the shared CORD-19 sample (../shared/cord19-sample), read
here from the raw JSON; each test first checks that the raw entry shows the defect, then
that the resolver, run over the whole shared corpus, links it to the right paper.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from ckg_rdf.corpus.fulltext import read_fulltext
from ckg_rdf.corpus.layout import CorpusLayout
from ckg_rdf.corpus.reader import read_corpus
from ckg_rdf.corpus.records import BibEntry, PaperRecord
from ckg_rdf.extract.citations import (
    FUZZY,
    CitationIndex,
    Resolution,
    report_counts,
    title_similarity,
)

SHARED = Path(__file__).resolve().parents[3] / "shared" / "cord19-sample"
needs_shared = pytest.mark.skipif(
    not (SHARED / "metadata.csv").exists(), reason="needs the shared sample ../shared/cord19-sample"
)


def raw_entry(sha: str, key: str) -> dict:
    """A bibliography entry as the parse file has it."""
    path = next(SHARED.glob(f"*/{sha}.json"))
    return json.loads(path.read_bytes())["bib_entries"][key]


def raw_parse(sha: str) -> dict:
    return json.loads(next(SHARED.glob(f"*/{sha}.json")).read_bytes())


def metadata_title(cord_uid: str) -> str:
    import csv

    with (SHARED / "metadata.csv").open(encoding="utf-8", newline="") as fh:
        return next(r["title"] for r in csv.DictReader(fh) if r["cord_uid"] == cord_uid)


def paper_title(pid: str) -> str:
    return raw_parse(pid)["metadata"]["title"] if len(pid) == 40 else metadata_title(pid)


@pytest.fixture(scope="module")
def shared_resolutions() -> dict[tuple[str, str], Resolution]:
    """Every resolution of the shared sample, by (citing paper, bibliography ref_id)."""
    papers = [p for p in read_corpus(CorpusLayout.discover(SHARED)) if isinstance(p, PaperRecord)]
    index = CitationIndex(sqlite3.connect(":memory:"))
    index.add_papers(papers)
    return {(r.citing, r.ref_id): r for r in index.resolve()}


@dataclass(frozen=True)
class Case:
    defect: str
    citing: str  # the parse's sha
    key: str  # its bib_entries key
    cited: str  # cord_uid or sha of the paper it cites
    shows: str  # a regex the raw entry title (or, "paper:" prefixed, the cited title) matches


CASES = [
    Case(
        "venue appended: preprint server",
        "de055f09fef2776bc78bac5d58c4131301b2025f",
        "BIBREF8",
        "dfb0fedbeed56bd2b795a67faab28295afc14c96",
        r", medRxiv$",
    ),
    Case(
        "venue appended: journal name (after a PDF line number)",
        "395e8569a0e6fc129029cb0b8cda1f7381954976",
        "BIBREF19",
        "f0vud3gu",
        r"\. 460 Influenza and Other Respiratory Viruses$",
    ),
    Case(
        "venue appended: journal name, title renamed 2019-nCoV -> COVID-19, 'Title:' on the paper",
        "1d2947d5c0addcbbcfa71d87ea074a8b6ff2a973",
        "BIBREF19",
        "2cc809ed4d5c3640ee2351fdb1876e8ff6c01b51",
        r"COVID-19 outbreaks .*\. The Lancet Global Health$",
    ),
    Case(
        "small wording difference: a dropped article",
        "5f72fd41d7ba8d4d7de7aa1f83fc5c90ffa50b03",
        "BIBREF26",
        "5fb2cce255dd56b944ae52cec664bd7f4f222c66",
        r"in the size of COVID-19 infected",
    ),
    Case(
        "small wording differences: typos",
        "0cad40f50e41144e8b64744251515eca8cfac5f7",
        "BIBREF14",
        "24ff82a421f1a33db3ebaa22652bd62e0cb77c57",
        r"coronaviurs.*data-driver",
    ),
    Case(
        "PDF line number inside the title",
        "e49c9e5b4f77c5cdbf6fa77343d767d909548dea",
        "BIBREF2",
        "fc15f433048e4d9464964930c36a1e7057ba1088",
        r"spike in the 385 prefusion",
    ),
    Case(
        "PDF line numbers inside the title, twice",
        "315197247b230bab03786c197dc1fc795164c371",
        "BIBREF26",
        "7gmtp6km",
        r"1918 785 pandemic .* 786 neutrophils",
    ),
    Case(
        "truncated title: cut at the end",
        "5f72fd41d7ba8d4d7de7aa1f83fc5c90ffa50b03",
        "BIBREF21",
        "c9533866dd77deaa65ee1015b57bca5486f93326",
        r"^The impact of traffic isolation in Wuhan on the$",
    ),
    Case(
        "truncated title: cut at the start",
        "6cf87a546884756094da0d300e85a061c2cc43ea",
        "BIBREF11",
        "c672f5b0d7c0a40f7cc1bdf079066d72eb8f64ec",
        r"^Testis May Cause",
    ),
    Case(
        "hyphenation across line breaks (in the cited title)",
        "d38c890fa2f9a9325e663e55a43cfbef262e86d8",
        "BIBREF13",
        "bd8f57ea4aadeda075d557f566a1909d68e658c4",
        r"paper:tran- scriptional .* plat- form",
    ),
    Case(
        "hyphen lost in the reference",
        "fa15a1608185e44b0bf4e66354533e1a05316535",
        "BIBREF10",
        "35604e3a5d38d6794543372e4dd9ccf1d8d9cd2a",
        r"genomicallycomprehensive",
    ),
    Case(
        "markup in the title",
        "3a6544f6f247366d4c12167f7fba743e9d981c63",
        "BIBREF0",
        "b705170c7527f5bc6842d90bf443fa9f9ee00bf9",
        r"<sup>0</sup>",
    ),
    Case(
        "'Title:' prefix (on the cited paper's title)",
        "06c1b3535b83251cf92c01258b5048beeab7a460",
        "BIBREF24",
        "2cc809ed4d5c3640ee2351fdb1876e8ff6c01b51",
        r"paper:^Title: Feasibility",
    ),
    Case(
        "author names put before the title",
        "10138816c67a562b55bc9c2b882b62c81fc4b062",
        "BIBREF35",
        "8b88d01563538e4abd29c3ba493c534af30664cc",
        r"^Jing-An Cui, and Ling Yin\. ",
    ),
    Case(
        "DOI split by a space (in the cited preprint's copyright line)",
        "7fb7c0c48b30e66dfaea5fdec16d999ed52d1ee0",
        "BIBREF8",
        "905603e9db862f9b4b42a95f51e9c8d0015d1dff",
        r"Republic of Korea",  # the cited title says "South Korea": only the DOI can link
    ),
]


@needs_shared
@pytest.mark.parametrize("case", CASES, ids=[c.defect for c in CASES])
def test_a_real_entry_with_the_defect_links(case: Case, shared_resolutions) -> None:
    citing, cited = case.citing, case.cited
    entry = raw_entry(citing, case.key)
    if case.shows.startswith("paper:"):
        assert re.search(case.shows[len("paper:") :], paper_title(cited)), "fixture lost its defect"
    else:
        assert re.search(case.shows, entry["title"]), "fixture lost its defect"
    res = shared_resolutions.get((citing, entry["ref_id"]))
    assert res is not None, f"{case.defect}: {entry['title']!r} resolved to nothing"
    assert res.cited == cited


@needs_shared
def test_the_split_doi_case_links_by_doi_only() -> None:
    citing = "7fb7c0c48b30e66dfaea5fdec16d999ed52d1ee0"
    cited = "905603e9db862f9b4b42a95f51e9c8d0015d1dff"
    entry = raw_entry(citing, "BIBREF8")
    doi = entry["other_ids"]["DOI"][0]
    doc = raw_parse(cited)
    lines = [
        m.group(1)
        for p in doc["body_text"] + doc["back_matter"]
        for m in re.finditer(
            r"copyright holder for this preprint.{0,300}?doi\.org/(\S+ \S+)", p["text"]
        )
    ]
    # every copyright line of the cited parse has its DOI broken in two
    assert lines and all(line == doi.replace("02.27.", "02. 27.") for line in lines)
    assert title_similarity(entry["title"], paper_title(cited)) is None


@needs_shared
@pytest.mark.parametrize(
    "sha,key,doi",
    [  # the DOI behind a PDF line number, in a medRxiv URL with a version, after a PII
        ("22a4d26bde67d878869443ea26140f3d8239bed0", "BIBREF0", "10.1371/journal.pone.0000747"),
        ("f7b069911c90d9deab85becbad3e9a633e0bf57c", "BIBREF5", "10.1101/2020.02.15.20023499"),
        ("73d80c8f5780d70bd8d343188c56e898e91557b6", "BIBREF33", "10.1016/j.bpj.2010.11.014"),
    ],
)
def test_bibliography_dois_are_found_wherever_the_parse_put_them(sha, key, doi) -> None:
    raw = raw_entry(sha, key)["other_ids"]["DOI"][0]
    assert raw != doi and doi in raw.replace("v1.abstract", "")
    (paper,) = [read_fulltext(p) for p in SHARED.glob(f"*/{sha}.json")]
    (entry,) = [b for b in paper.bib_entries if b.ref_id == raw_entry(sha, key)["ref_id"]]
    assert entry.doi == doi


@needs_shared
def test_an_entry_carrying_the_citing_papers_own_doi_goes_by_its_title() -> None:
    """Real entry: boilerplate with the citing preprint's own DOI around a real reference."""
    citing = "0ab795fc615df6457551a8e231dce1f268eef9d2"
    entry = raw_entry(citing, "BIBREF11")
    assert "author/funder" in entry["title"]
    own = next(
        p
        for p in read_corpus(CorpusLayout.discover(SHARED))
        if isinstance(p, PaperRecord) and p.paper_id == citing
    )
    assert own.doi == entry["other_ids"]["DOI"][0]
    # the paper the entry really cites (Zhou et al.), put into a small corpus beside it
    target = PaperRecord(
        paper_id="zhou2020",
        title="Discovery of a novel coronavirus associated with the recent pneumonia outbreak "
        "in humans and its potential bat origin",
    )
    index = CitationIndex(sqlite3.connect(":memory:"))
    index.add_papers([own, target])
    hits = [r for r in index.resolve() if r.ref_id == entry["ref_id"]]
    assert [(h.cited, h.method) for h in hits] == [("zhou2020", "title_key")]


@needs_shared
def test_no_bibliography_key_is_the_citing_papers_own(shared_resolutions) -> None:
    papers = [p for p in read_corpus(CorpusLayout.discover(SHARED)) if isinstance(p, PaperRecord)]
    own = sum(1 for p in papers for b in p.bib_entries if p.doi and b.doi == p.doi)
    assert own == 392  # the count: page boilerplate leaking into the references
    db = sqlite3.connect(":memory:")
    CitationIndex(db).add_papers(papers)
    leaked = db.execute(
        "SELECT COUNT(*) FROM bib_refs r JOIN paper_keys k ON k.paper_id = r.citing "
        "WHERE r.doi != '' AND r.doi = k.doi"
    ).fetchone()[0]
    assert leaked == 0
    assert all(r.citing != r.cited for r in shared_resolutions.values())


# --- near misses: titles that must not link -----------------------------------------------

# (entry title, corpus paper title): real pairs from the shared sample, each the best
# fuzzy candidate of a real entry, and different papers
REAL_NEAR_MISSES = [
    (
        "Clinical features of patients infected with 2019 novel coronavirus in Wuhan, China",
        "Association of radiologic findings with mortality of patients infected with 2019 novel "
        "coronavirus in Wuhan, China",
    ),
    (
        "Epidemiological and clinical features of the 2019 novel coronavirus outbreak in China",
        "Modelling the epidemic trend of the 2019 novel coronavirus outbreak in China",
    ),
    (
        "Transmission potential of COVID-19 in Republic of Korea",
        "Transmission potential of COVID-19 in Iran 1",
    ),
    (
        "CT Imaging of the 2019 Novel Coronavirus (2019-nCoV) Pneumonia. Radiology",
        "2019 Novel Coronavirus (2019-nCoV) Pneumonia",
    ),
    (
        "Epidemiological and Clinical Characteristics of 17 Hospitalized Patients with",
        "Epidemiologic and Clinical Characteristics of 91 Hospitalized Patients with COVID-19 in "
        "Zhejiang, China: A retrospective, multi-centre case series",
    ),
    (
        "A novel coronavirus emerging in China -key questions for impact assessment",
        "A novel coronavirus emerges",
    ),
    (
        "Middle East respiratory syndrome coronavirus (MERS-CoV)",
        "Middle East Respiratory Syndrome Corona virus, MERS-CoV. Conclusions from the 2(nd) "
        "Scientific Advisory Board Meeting of the WHO Collaborating Center for Mass Gathering "
        "Medicine, Riyadh",
    ),
    (
        "The acute respiratory distress syndrome",
        "Role of nitric oxide in management of acute respiratory distress syndrome",
    ),
    (
        "Centre for the Mathematical Modelling of Infectious Diseases COVID-19 Working Group",
        "Inferring the number of COVID-19 cases from recently reported deaths Centre for the "
        "Mathematical Modelling of Infectious Diseases COVID-19 Working Group",
    ),
    (
        "Novel Coronavirus-Infected Pneumonia in Wuhan, China",
        "Trends in Transmissibility of 2019 Novel Coronavirus-infected Pneumonia in Wuhan and 29 "
        "Provinces in China",
    ),
    (
        "A mathematical model for simulating the phase-based transmissibility of a novel "
        "coronavirus",
        "Title: A mathematical model for estimating the age-specific transmissibility of a novel 3 "
        "coronavirus 4 Running title: Age-specific transmissibility of a novel coronavirus",
    ),
    (
        "Preliminary prediction of the basic reproduction number of the Wuhan novel coronavirus "
        "2019-nCoV",
        "Preliminary estimation of the basic reproduction number of novel coronavirus (2019-nCoV) "
        "in China, from 2019 to 2020: A data-driven analysis in the early phase of the outbreak",
    ),
    (
        "Clinical features of patients with COVID-19 in Wuhan, China",
        "Clinical features and outcomes of 221 patients with COVID-19 in Wuhan, China",
    ),
]

H5N1 = (
    "H5N1 and 1918 Pandemic Influenza Virus Infection Results in Early and Excessive "
    "Infiltration of Macrophages and Neutrophils in the Lungs of Mice"
)
# made from real sample titles by the one change that makes them a different paper
MADE_NEAR_MISSES = [
    (H5N1.replace("of Mice", "of Ferrets"), H5N1),  # "... in mice" / "... in ferrets"
    (H5N1.replace("H5N1", "H7N9"), H5N1),  # a strain
    (H5N1.replace("1918", "1957"), H5N1),  # a year inside the title
    (
        "Clinical characteristics of 138 patients infected by SARS-CoV-2 in Wuhan, China",
        "Clinical characteristics of 140 patients infected by SARS-CoV-2 in Wuhan, China.",
    ),
    (
        "Epidemiology of COVID-19 outbreaks in long-term care facilities: part 2",
        "Epidemiology of COVID-19 outbreaks in long-term care facilities: part 1",
    ),
    (
        "Epidemiology of COVID-19 outbreaks in long-term care facilities, part II",
        "Epidemiology of COVID-19 outbreaks in long-term care facilities, part I",
    ),
    (  # same-series titles
        "Influenza activity in the United States during the 2013-14 season and composition of "
        "the 2014-15 influenza vaccine",
        "Influenza activity in the United States during the 2014-15 season and composition of "
        "the 2015-16 influenza vaccine",
    ),
    (
        "Detection of influenza B virus by a rapid isothermal nucleic acid amplification assay",
        "Detection of influenza A virus by a rapid isothermal nucleic acid amplification assay",
    ),
    (
        "Sex differences in the immune response to influenza infection in female mice",
        "Sex differences in the immune response to influenza infection in male mice",
    ),
    (
        "Angiotensin-converting enzyme 2 (ACE2) as a SARS-CoV-2 receptor in the lung",
        "Angiotensin-converting enzyme (ACE) as a SARS-CoV-2 receptor in the lung",
    ),
    (  # a word swapped for one the title has elsewhere: words count one by one
        "Examining dementia family caregivers' forgone care for general COVID-19 and medical "
        "specialists during a COVID-19 lockdown",
        "Examining dementia family caregivers' forgone care for general care and medical "
        "specialists during a COVID-19 lockdown",
    ),
    (  # ... also when the title is cut to the reference's length
        "Fatal iliopsoas and rectus sheath hemorrhage in a critically ill patient with "
        "COVID-19 on therapeutic COVID-19",
        "Fatal iliopsoas and rectus sheath hemorrhage in a critically ill patient with "
        "COVID-19 on therapeutic anticoagulation",
    ),
    (  # a part number after a break is never dropped
        "Structured ICU resource management in a pandemic is associated with favorable "
        "outcome in critically ill COVID-19 patients",
        "Structured ICU resource management in a pandemic is associated with favorable "
        "outcome in critically ill COVID-19 patients. (Covid-19 part II.)",
    ),
    (
        "Structured ICU resource management in a pandemic is associated with favorable "
        "outcome in critically ill COVID-19 patients. (Covid-19 part I.)",
        "Structured ICU resource management in a pandemic is associated with favorable "
        "outcome in critically ill COVID-19 patients. (Covid-19 part II.)",
    ),
    ("A short word is no typo of another: for the community tool too", "For the community tool"),
    (  # nor a word glued to a stop word ("a services")
        "Seroprevalence of SARS-CoV-2 antibodies among staff of a services company using dried "
        "blood service",
        "Seroprevalence of SARS-CoV-2 antibodies among staff of a services company using dried "
        "blood microsampling",
    ),
    (  # "coronavirus (SARS-CoV-2)" is not one name: only "novel coronavirus (...)" is
        "Coronavirus SARS-CoV-2 genome analysis with a network of circulating variants in "
        "swine herds",
        "Clinical SARS-CoV-2 genome analysis with a network of circulating variants in swine herds",
    ),
]


def _resolve_pair(reference: str, paper: str) -> list[Resolution]:
    index = CitationIndex(sqlite3.connect(":memory:"))
    index.add_papers(
        [
            PaperRecord(
                "citing", title="A paper that cites", bib_entries=[BibEntry("b0", reference)]
            ),
            PaperRecord("cited", title=paper),
        ]
    )
    return list(index.resolve())


@pytest.mark.parametrize("reference,paper", REAL_NEAR_MISSES + MADE_NEAR_MISSES)
def test_near_miss_titles_do_not_link(reference: str, paper: str) -> None:
    assert title_similarity(reference, paper) is None
    assert _resolve_pair(reference, paper) == []


@needs_shared
def test_real_near_miss_entries_stay_unlinked(shared_resolutions) -> None:
    """The real entries behind some of the pairs above, over the whole sample."""
    for sha, key, wrong in [
        ("136ee862", "BIBREF0", "4f8d24c5"),  # Clinical features ... / Association of ...
        ("4609a2dd", "BIBREF16", "g4puurhk"),  # The acute respiratory distress syndrome
        ("c91b581d", "BIBREF6", "f7b06991"),  # ... COVID-19 Working Group
        ("e4701bdf", "BIBREF12", "a9c58042"),  # ... of 17 / of 91 Hospitalized Patients
    ]:
        citing = next(SHARED.glob(f"*/{sha}*.json")).stem
        ref_id = raw_entry(citing, key)["ref_id"]
        res = shared_resolutions.get((citing, ref_id))
        assert res is None or not res.cited.startswith(wrong)


def test_the_true_title_beside_each_made_near_miss_links() -> None:
    """The rule is not merely strict: the real title with line numbers still links."""
    with_numbers = H5N1.replace("1918 Pandemic", "1918 785 pandemic").replace(
        "and Neutrophils", "and 786 neutrophils"
    )
    assert title_similarity(with_numbers, H5N1) is not None
    assert [r.cited for r in _resolve_pair(with_numbers, H5N1)] == ["cited"]


# --- the exact-key rules ------------------------------------------------------------------


def _resolve(*papers: PaperRecord) -> list[Resolution]:
    index = CitationIndex(sqlite3.connect(":memory:"))
    index.add_papers(list(papers))
    return sorted(index.resolve(), key=lambda r: (r.citing, r.ref_id))


TITLE_A = "Early dynamics of transmission and control of COVID-19: a mathematical modelling study"
TITLE_B = "Estimating the daily trend in the size of the COVID-19 infected population in Wuhan"


def test_doi_takes_precedence_over_pmid_pmcid_and_title() -> None:
    citing = PaperRecord(
        "c",
        title="Citing",
        bib_entries=[
            BibEntry("b0", TITLE_B, doi="10.1/a", pmid="2", pmcid="PMC2"),
            BibEntry("b1", TITLE_B, pmid="1", pmcid="PMC2"),
            BibEntry("b2", TITLE_B, pmcid="PMC1"),
            BibEntry("b3", TITLE_B),
        ],
    )
    a = PaperRecord("a", title=TITLE_A, doi="10.1/a", pmid="1", pmcid="PMC1")
    b = PaperRecord("b", title=TITLE_B, pmid="2", pmcid="PMC2")
    got = [(r.ref_id, r.cited, r.method) for r in _resolve(citing, a, b)]
    assert got == [
        ("b0", "a", "doi"),
        ("b1", "a", "pmid"),
        ("b2", "a", "pmcid"),
        ("b3", "b", "title_key"),
    ]


def test_a_shared_title_resolves_nothing_exactly_or_fuzzily() -> None:
    citing = PaperRecord(
        "c",
        title="Citing",
        bib_entries=[BibEntry("b0", TITLE_A), BibEntry("b1", TITLE_A.replace("control", "contrl"))],
    )
    twins = [PaperRecord("v1", title=TITLE_A), PaperRecord("v2", title=TITLE_A + ".")]
    assert _resolve(citing, *twins) == []


def test_a_shared_doi_gives_way_to_the_title() -> None:
    citing = PaperRecord("c", title="Citing", bib_entries=[BibEntry("b0", TITLE_B, doi="10.1/x")])
    got = _resolve(
        citing,
        PaperRecord("x1", title=TITLE_A, doi="10.1/x"),
        PaperRecord("x2", title="Another title of four words", doi="10.1/x"),
        PaperRecord("b", title=TITLE_B),
    )
    assert [(r.cited, r.method) for r in got] == [("b", "title_key")]


def test_no_paper_cites_itself_by_title_or_fuzzily() -> None:
    own = PaperRecord(
        "a",
        title=TITLE_A,
        bib_entries=[BibEntry("b0", TITLE_A), BibEntry("b1", TITLE_A + ". medRxiv 2020")],
    )
    assert _resolve(own) == []


def test_own_identifiers_in_the_bibliography_are_ignored() -> None:
    citing = PaperRecord(
        "c",
        title="Citing paper of its own",
        doi="10.1101/2020.01.01.000001",
        pmid="9",
        bib_entries=[BibEntry("b0", TITLE_B, doi="10.1101/2020.01.01.000001", pmid="9")],
    )
    got = _resolve(citing, PaperRecord("b", title=TITLE_B))
    assert [(r.cited, r.method) for r in got] == [("b", "title_key")]


def test_short_titles_have_no_key_and_are_not_matched_fuzzily() -> None:
    citing = PaperRecord(
        "c",
        title="Citing",
        bib_entries=[BibEntry("b0", "Clinical vignettes"), BibEntry("b1", "Editorial.")],
    )
    got = _resolve(
        citing, PaperRecord("v", title="Clinical vignette"), PaperRecord("e", title="Editorial")
    )
    assert got == []


def test_fuzzy_resolutions_carry_method_score_and_band() -> None:
    citing = PaperRecord(
        "c",
        title="Citing",
        bib_entries=[BibEntry("b0", TITLE_B.replace("size of the", "size of"))],
    )
    (res,) = _resolve(citing, PaperRecord("b", title=TITLE_B))
    assert res.method == FUZZY and 0.95 <= res.score < 1.0 and res.band == "0.95-1.00"
    counts = report_counts([res, Resolution("c", "x", "doi"), Resolution("c", "y", FUZZY, 0.91)])
    assert list(counts.items()) == [
        ("resolved by doi", 1),
        ("resolved by fuzzy title 0.95-1.00", 1),
        ("resolved by fuzzy title 0.90-0.95", 1),
    ]


def test_a_retitled_paper_is_reindexed(tmp_path: Path) -> None:
    """Re-runs see earlier papers; a paper whose title changed is found by the new one only."""
    db_path = tmp_path / "state.sqlite"
    db = sqlite3.connect(db_path)
    index = CitationIndex(db)
    index.add_papers([PaperRecord("b", title=TITLE_A)])
    db.commit()
    db.close()
    db = sqlite3.connect(db_path)
    index = CitationIndex(db)
    citing = PaperRecord(
        "c",
        title="Citing",
        bib_entries=[
            BibEntry("b0", TITLE_A.replace("COVID-19", "2019-nCoV")),
            BibEntry("b1", TITLE_B.replace("size of the", "size of")),
        ],
    )
    index.add_papers([citing])
    assert [(r.ref_id, r.cited) for r in index.resolve()] == [("b0", "b")]
    index.add_papers([PaperRecord("b", title=TITLE_B)])
    assert [(r.ref_id, r.cited) for r in index.resolve()] == [("b1", "b")]
    grams = db.execute("SELECT COUNT(*) FROM title_grams").fetchone()[0]
    assert grams == db.execute("SELECT SUM(df) FROM gram_df").fetchone()[0] > 0


def test_a_paper_read_again_replaces_its_bibliography_and_keeps_the_others() -> None:
    """Re-adding a paper drops the entries it no longer has; new papers add theirs."""
    index = CitationIndex(sqlite3.connect(":memory:"))
    index.add_papers([PaperRecord("b", title=TITLE_B)])
    first = PaperRecord(
        "c", title="Citing", bib_entries=[BibEntry("b0", TITLE_A), BibEntry("b1", TITLE_B)]
    )
    other = PaperRecord("d", title="Another citing paper", bib_entries=[BibEntry("x0", TITLE_B)])
    index.add_papers([first, other])
    assert index.count_refs() == 3
    index.add_papers([PaperRecord("c", title="Citing", bib_entries=[BibEntry("b1", TITLE_B)])])
    assert index.count_refs() == 2
    assert sorted((r.citing, r.ref_id, r.cited) for r in index.resolve()) == [
        ("c", "b1", "b"),
        ("d", "x0", "b"),
    ]
    # the same paper twice in one batch: one title row, indexed once
    index.add_papers([PaperRecord("e", title=TITLE_A), PaperRecord("e", title=TITLE_A)])
    rows = index.db.execute("SELECT COUNT(*) FROM paper_titles WHERE paper_id = 'e'")
    assert rows.fetchone()[0] == 1


def test_a_store_from_before_fuzzy_matching_is_upgraded() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(
        "CREATE TABLE bib_refs (citing TEXT NOT NULL, ref_id TEXT NOT NULL, doi TEXT, "
        "pmid TEXT, pmcid TEXT, title_key TEXT, PRIMARY KEY (citing, ref_id));"
        "INSERT INTO bib_refs VALUES ('old', 'b0', '10.1/a', '', '', '');"
    )
    index = CitationIndex(db)
    index.add_papers([PaperRecord("a", title=TITLE_A, doi="10.1/a")])
    assert [(r.citing, r.cited, r.method) for r in index.resolve()] == [("old", "a", "doi")]
