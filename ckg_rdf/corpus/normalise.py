"""Normalising identifiers and titles so the same thing compares equal."""

from __future__ import annotations

import html
import re
import unicodedata

# A DOI anywhere in the string: PDF parses prefix it with line numbers ("61010.1371/..."),
# "doi:", a URL or a PII, and suffix it with a version or ".full.pdf".
_DOI = re.compile(r"10\.\d{4,9}/[^\s\"<>]+")
# A bioRxiv/medRxiv DOI proper: "10.1101/2020.02.07.937862" or "10.1101/378786".
_PREPRINT_DOI_CORE = re.compile(r"10\.1101/(?:\d{4}\.\d{2}\.\d{2}\.)?\d{6,8}(?!\d)")
_TRAILING_LINE_NUMBERS = re.compile(r"(?:\s+\d{1,3}){2,}\s*$")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


#: characters RDF/XML, SPARQL XML results and pyoxigraph cannot carry: C0 controls but
#: tab/newline/return, lone surrogates (from ``"\ud800"`` escapes in JSON), U+FFFE/U+FFFF
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def has_unsafe(text: str) -> bool:
    return _UNSAFE.search(text) is not None


def safe_text(text: str) -> str:
    """``text`` with every character RDF or XML cannot carry replaced by U+FFFD."""
    return _UNSAFE.sub("\ufffd", text) if _UNSAFE.search(text) else text


def ascii_fold(text: str) -> str:
    """Strip accents: 'Müller' -> 'Muller'."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def normalise_doi(doi: str) -> str:
    """The DOI in ``doi``, lower-cased, or "" when there is none.

    Finds the DOI wherever it sits in the string, drops trailing punctuation
    and unbalanced closing brackets, and cuts a bioRxiv/medRxiv DOI to its
    core (``10.1101/2020.01.30.20019877v4.full.pdf`` -> ``10.1101/2020.01.30.20019877``).
    """
    match = _DOI.search(doi.lower())
    if match is None:
        return ""
    doi = match.group(0).rstrip(".,;:")
    for opening, closing in ("()", "[]"):
        while doi.endswith(closing) and doi.count(closing) > doi.count(opening):
            doi = doi[:-1].rstrip(".,;:")
    if doi.startswith("10.1101/"):
        core = _PREPRINT_DOI_CORE.match(doi)
        if core is not None:
            doi = core.group(0)
    return doi


def normalise_pmid(pmid: str | int) -> str:
    text = str(pmid).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return text if text.isdigit() else ""


def normalise_pmcid(pmcid: str) -> str:
    text = pmcid.strip().upper()
    if text.isdigit():
        text = "PMC" + text
    return text if text.startswith("PMC") and text[3:].isdigit() else ""


def normalise_numeric_id(value: str) -> str:
    """pandas turned integer ids into floats ('220118792.0'); undo that."""
    text = value.strip()
    if text.endswith(".0") and text[:-2].isdigit():
        return text[:-2]
    return text


def clean_title(title: str) -> str:
    """Remove PDF-parse noise from a title: trailing line numbers and footnote marks."""
    title = " ".join(title.split())
    if title[-1:].isdigit():  # the pattern ends in a digit; most titles do not
        title = _TRAILING_LINE_NUMBERS.sub("", title)
    return title.rstrip(" *†‡").strip()


def title_key(title: str) -> str:
    """A key under which two spellings of the same title compare equal.

    Lower-cased, accents stripped, punctuation removed. Titles shorter than
    four words or 20 characters give no key: "Introduction" or "Editorial"
    would otherwise join unrelated papers.
    """
    key = _NON_ALNUM.sub(" ", ascii_fold(clean_title(title)).lower()).strip()
    if len(key) < 20 or key.count(" ") < 3:
        return ""
    return key


def slug(text: str) -> str:
    """A lower-case ASCII slug for use in an IRI segment."""
    return _NON_ALNUM.sub("-", ascii_fold(text).lower()).strip("-")


# --- titles as citation matching sees them -------------------------------------------------

_MARKUP_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|&lt;/?[A-Za-z]+&gt;?")
_LATEX_COMMAND = re.compile(r"\\([A-Za-z]+)\*?\s*")
_TITLE_PREFIX = re.compile(r"^\s*(?:(?:full|article)\s+)?title\s*:\s*", re.I)
_TITLE_WORD_PREFIX = re.compile(r"^\s*Title\s+(?=[A-Z0-9])")
# Headings a PDF parse runs on into the title: "... infections Correspondence to".
_HEADING_TAIL = re.compile(
    r"\s+(?:Correspondence(?: to)?|Corresponding author|Significance Statement"
    r"|At a Glance Commentary|Summary Background|Author Summary|Abstract|Keywords)\b.*$",
    re.S,
)
_RUNNING_TITLE = re.compile(r"\s*\b(?:running|short|brief)\s+(?:head|title)\b\s*:?.*$", re.I | re.S)
# A preprint server (or "preprint") appended to the title by the PDF parse: ". medRxiv",
# ", medRxiv preprint 2020", ". bioRxiv [Internet", ". Preprint published by ...".
_PREPRINT_TAIL = re.compile(
    r"(?:[\s.,;:(\[]+(?:the\s+)?(?:(?:bio|med|chem)rxiv|arxiv|ssrn|osf\s+preprints?)\b"
    r"|[.,;]\s*(?:in\s+)?preprints?\b(?!\s+server)|\s+preprint\s+(?:published|posted)\b).*$",
    re.I | re.S,
)


def citation_title(title: str) -> str:
    """A title cleaned of what PDF parses add around it, for citation matching.

    Markup (HTML tags and entities, LaTeX commands), a leading "Title:", a
    trailing "Running title: ..." or a heading the parse ran on into the title
    ("Correspondence to"), a preprint server appended as if it were part of the
    title (". medRxiv"), trailing line numbers and footnote marks.
    Punctuation is kept: :func:`title_variants` needs it to find sentence breaks.
    """
    # Each pattern is tried only when a substring it needs is present: most titles are
    # clean, and seven regex passes over each of a corpus's bibliography titles were
    # the largest cost of reading a parse.
    if "&" in title:
        title = html.unescape(html.unescape(title))
    if "<" in title or "&lt;" in title:
        title = _MARKUP_TAG.sub("", title)
    if "\\" in title:
        title = _LATEX_COMMAND.sub(_latex_command, title)
    if "$" in title or "{" in title or "}" in title:
        title = title.replace("$", "").replace("{", "").replace("}", "")
    title = " ".join(title.split())
    # every step below only cuts the title's end, so what follows is a prefix of this
    # text and a substring absent from ``low`` is absent from it too
    low = title.lower()
    if "head" in low or "title" in low:
        title = _RUNNING_TITLE.sub("", title)
    heading = _HEADING_TAIL.search(title)
    if heading is not None and heading.start() >= 20:
        title = title[: heading.start()]
    if low.startswith(("title", "full", "article")):
        title = _TITLE_WORD_PREFIX.sub("", _TITLE_PREFIX.sub("", title))
    if "rxiv" in low or "preprint" in low or "ssrn" in low or "osf" in low:
        tail = _PREPRINT_TAIL.search(title)
        if tail is not None and tail.start() >= 20:
            title = title[: tail.start()]
    return clean_title(title).rstrip(" .,;:([")


_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "µ": "mu",
    "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "φ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega",
}  # fmt: skip
_GREEK_RE = re.compile("|".join(_GREEK))
_GREEK_NAMES = frozenset(_GREEK.values())


def _latex_command(match: re.Match[str]) -> str:
    """``\\alpha`` -> "alpha"; any other LaTeX command is dropped, its argument kept."""
    name = match.group(1)
    return f"{name} " if name.lower() in _GREEK_NAMES else ""


# "plat- form" (a line-break hyphen) and "real-time" are both written joined: "platform", "realtime"
_HYPHEN_BREAK = re.compile(r"(?<=[a-z0-9])-\s+(?=[a-z])")
_HYPHEN = re.compile(r"(?<=[a-z0-9])-(?=[a-z0-9])")
# The 2020 virus and disease went by several names, and many preprints were retitled
# from one to another between versions ("... of 2019-nCoV" -> "... of COVID-19").
_COVID_NAMES = re.compile(
    r"\b(?:coronavirus disease (?:2019|19)|2019 novel coronavirus|novel coronavirus 2019"
    r"|sars cov 2|2019ncov|ncov2019|covid19|covid2019|sarscov2|hcov19)\b"
)
# "novel coronavirus (2019-nCoV)" is the name and its abbreviation: one name
_COVID_SPELT_OUT = re.compile(r"\bnovel coronavirus covid19\b")
_COVID_REPEATED = re.compile(r"\bcovid19(?: covid19)+\b")


def fuzzy_title(title: str) -> str:
    """The form fuzzy title matching compares: lower-case ASCII words, hyphens joined.

    Greek letters are spelt out (β -> beta), and hyphenated words and words
    broken across a line are joined ("real-time", "real- time" -> "realtime").
    Numbers stay: the decision rule in :mod:`ckg_rdf.extract.citations`
    decides which count.
    """
    text = _GREEK_RE.sub(lambda m: _GREEK[m.group(0)], title)
    text = ascii_fold(text).lower()
    text = _HYPHEN.sub("", _HYPHEN_BREAK.sub("", text))
    return " ".join(_NON_ALNUM.sub(" ", text).split())


def covid_names(fuzzy: str) -> str:
    """A :func:`fuzzy_title` with every name of SARS-CoV-2 / COVID-19 written "covid19"."""
    if "cov" not in fuzzy and "coronavirus" not in fuzzy:
        return fuzzy
    text = _COVID_SPELT_OUT.sub("covid19", _COVID_NAMES.sub("covid19", fuzzy))
    return _COVID_REPEATED.sub("covid19", text)


#: words that carry no meaning of their own in a title; ignored by blocking and the word guard
STOPWORDS = frozenset(
    "a an the of in on for to and or with by from at as is are be been its their into via "
    "using use among between during after before under over than this that these those".split()
)


def content_words(fuzzy: str) -> list[str]:
    """The words of a :func:`fuzzy_title` that are neither stop words nor bare numbers."""
    return [w for w in fuzzy.split() if w not in STOPWORDS and not w.isdigit()]
