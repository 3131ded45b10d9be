"""Text preparation for the topic model: tokens, lemmas, stop words and phrases.

Libraries do the language work, so the rules are documented elsewhere and not
re-invented here:

* **tokens**: simplemma's tokenizer. It keeps hyphenated compounds whole
  ("SARS-CoV-2", "RT-PCR"), which we then write with underscores
  (``sars_cov_2``, ``rt_pcr``), so the most important names of the corpus are
  one token without any hand-written pattern for them;
* **lemmas**: simplemma's English lemmatiser (its data ships inside the
  wheel, nothing is downloaded at run time). Lemmas rather than stems because
  topic labels and top terms are read by people: "virus", "infection",
  "antibody" rather than the stems "virus", "infect", "antibodi";
* **stop words**: gensim's English list plus a short domain list in
  ``data/stopwords.txt`` (preprint boilerplate, citation debris, words of
  scientific writing such as "study" or "result");
* **phrases**: gensim ``Phrases`` learned on the corpus (``public_health``,
  ``incubation_period``, ``reproduction_number``), two layers so that
  three- and four-word phrases can form. Stop words are its connector words,
  so a phrase never starts or ends with one ("of" may sit inside).

A document is first cut into *chunks* at punctuation and numbers, because a
phrase must not run across a full stop or a table value. Chunks keep their
stop words until phrases are applied, and lose them after.

Everything here is deterministic: the same text and the same preparer give
the same tokens. A fitted preparer is saved with the model
(:meth:`TextPreparer.save`), so inference on new papers prepares text
exactly as training did, even if the packaged stop-word list changes later.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

from gensim.models.phrases import FrozenPhrases, Phrases
from gensim.parsing.preprocessing import STOPWORDS as GENSIM_STOPWORDS
from simplemma import lemmatize, simple_tokenizer

Chunks = list[list[str]]

#: runs of characters that are not letters or digits: joined with "_" inside a token
_NON_WORD = re.compile(r"[\W_]+")
_POSSESSIVE = ("'s", "\u2019s")


class PreparationError(ValueError):
    """A saved preparer cannot be read back."""


@dataclass(frozen=True)
class PrepSettings:
    """How phrases are learned and which tokens are kept.

    ``phrase_min_count`` and ``phrase_threshold`` are gensim's ``min_count``
    and ``threshold`` (default scorer); 5 and 10 are gensim's own defaults
    for threshold and half its min_count, because a sample of a few thousand
    papers is small for collocation counts.
    """

    phrase_min_count: int = 5
    phrase_threshold: float = 10.0
    phrase_layers: int = 2
    #: tokens shorter than this (after normalisation) are dropped: "e", "g" of "e.g."
    min_token_chars: int = 2

    def __post_init__(self) -> None:
        if self.phrase_layers < 0:
            raise ValueError("phrase_layers must be >= 0")
        if self.phrase_min_count < 1:
            raise ValueError("phrase_min_count must be >= 1")
        if self.min_token_chars < 1:
            raise ValueError("min_token_chars must be >= 1")


def domain_stopwords() -> frozenset[str]:
    """The packaged domain list (``ckg_rdf/topics/data/stopwords.txt``)."""
    text = files("ckg_rdf.topics").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(_read_word_list(text))


def default_stopwords(extra: Iterable[str] = ()) -> frozenset[str]:
    """gensim's English stop words, the domain list and ``extra`` (lower-cased)."""
    return frozenset(GENSIM_STOPWORDS) | domain_stopwords() | {w.lower() for w in extra}


def _read_word_list(text: str) -> Iterator[str]:
    for line in text.splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            yield word


@lru_cache(maxsize=1 << 18)
def _lemma(token: str) -> str:
    """simplemma's lemma of a lower-cased token, lower-cased (it restores case for some)."""
    return lemmatize(token, lang="en").lower()


def normalise_token(raw: str) -> str:
    """A tokenizer token as a vocabulary term: lower case, lemma, ``_`` for inner punctuation.

    Returns "" for tokens that carry no word: punctuation and numbers.
    """
    token = raw.lower()
    if not any(c.isalpha() for c in token):
        return ""
    if token.endswith(_POSSESSIVE):
        token = token[:-2]
    return _NON_WORD.sub("_", _lemma(token)).strip("_")


def tokenize_chunks(text: str, stopwords: frozenset[str], min_token_chars: int = 2) -> Chunks:
    """Split ``text`` into chunks of normalised tokens, cut at punctuation and numbers.

    Stop words stay in the chunks (as the stop word itself) so that phrase
    detection can use them as connectors; :meth:`TextPreparer.finish` drops them.
    """
    chunks: Chunks = []
    current: list[str] = []
    for raw in simple_tokenizer(text):
        surface = raw.lower()
        if surface in stopwords:
            current.append(surface)
            continue
        term = normalise_token(raw)
        if len(term) < min_token_chars or _only_stopwords(term, stopwords):
            if current:
                chunks.append(current)
                current = []
            continue
        current.append(term)
    if current:
        chunks.append(current)
    return chunks


def _only_stopwords(term: str, stopwords: frozenset[str]) -> bool:
    """A compound made of stop words and numbers only ("cc-by-nc-nd", "95-ci") says nothing."""
    if "_" not in term:
        return False
    return all(part in stopwords or part.isdigit() for part in term.split("_"))


class ChunkStore:
    """A corpus of chunked documents held as integer arrays, not Python strings.

    Phrase learning needs one pass per layer over the tokenized corpus and the
    source (a streamed corpus reader) can be read only once; keeping token ids
    in ``array('i')`` costs 4 bytes a token instead of a list of str objects.
    """

    _SEP = -1

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._words: list[str] = []
        self._docs: list[array | None] = []

    def __len__(self) -> int:
        return len(self._docs)

    def add(self, chunks: Chunks) -> int:
        """Store one document; returns its index."""
        buf = array("i")
        for chunk in chunks:
            if len(buf):
                buf.append(self._SEP)
            for word in chunk:
                wid = self._ids.get(word)
                if wid is None:
                    wid = self._ids[word] = len(self._words)
                    self._words.append(word)
                buf.append(wid)
        self._docs.append(buf)
        return len(self._docs) - 1

    def doc(self, index: int) -> Chunks:
        buf = self._docs[index]
        if buf is None:
            raise KeyError(f"document {index} was released")
        chunks: Chunks = [[]]
        for wid in buf:
            if wid == self._SEP:
                chunks.append([])
            else:
                chunks[-1].append(self._words[wid])
        return [c for c in chunks if c]

    def release(self, index: int) -> None:
        """Free a document once it has been handed on."""
        self._docs[index] = None

    def sentences(self) -> Iterator[list[str]]:
        """Every chunk of every document still held, for gensim's Phrases."""
        for i, buf in enumerate(self._docs):
            if buf is not None:
                yield from self.doc(i)


class TextPreparer:
    """Turns raw text into the token list the topic model sees.

    Build one with :meth:`learn` (phrases learned from a corpus) or
    :meth:`without_phrases`; reload a saved one with :meth:`load`.
    """

    def __init__(
        self,
        stopwords: frozenset[str],
        layers: Sequence[FrozenPhrases] = (),
        settings: PrepSettings | None = None,
    ) -> None:
        self.stopwords = stopwords
        self.layers = list(layers)
        self.settings = settings or PrepSettings()

    @classmethod
    def without_phrases(
        cls, stopwords: frozenset[str] | None = None, settings: PrepSettings | None = None
    ) -> TextPreparer:
        """A preparer with no learned phrases (tokens, lemmas and stop words only)."""
        return cls(default_stopwords() if stopwords is None else stopwords, (), settings)

    @classmethod
    def learn(
        cls,
        sentences: Callable[[], Iterable[list[str]]],
        stopwords: frozenset[str],
        settings: PrepSettings | None = None,
    ) -> TextPreparer:
        """Learn phrase layers from a corpus of chunks.

        ``sentences`` is called once per layer and must yield the same chunks
        each time (a :class:`ChunkStore`'s ``sentences`` method does).
        """
        settings = settings or PrepSettings()
        layers: list[FrozenPhrases] = []
        for _ in range(settings.phrase_layers):
            done = list(layers)

            def layered(done: list[FrozenPhrases] = done) -> Iterator[list[str]]:
                for sentence in sentences():
                    for layer in done:
                        sentence = layer[sentence]
                    yield sentence

            phrases = Phrases(
                layered(),
                min_count=settings.phrase_min_count,
                threshold=settings.phrase_threshold,
                connector_words=stopwords,
            )
            layers.append(phrases.freeze())
        return cls(stopwords, layers, settings)

    # -- preparing text

    def chunks(self, text: str) -> Chunks:
        return tokenize_chunks(text, self.stopwords, self.settings.min_token_chars)

    def finish(self, chunks: Chunks) -> list[str]:
        """Apply phrases to each chunk, then drop stop words: the model's tokens."""
        out: list[str] = []
        for chunk in chunks:
            for layer in self.layers:
                chunk = layer[chunk]
            out.extend(t for t in chunk if t not in self.stopwords)
        return out

    def prepare(self, text: str) -> list[str]:
        """Raw text -> tokens, exactly as the model was trained on."""
        return self.finish(self.chunks(text))

    def term(self, text: str) -> str:
        """A seed word or phrase as one vocabulary term.

        Words are normalised like corpus tokens and joined with ``_``, so
        "Viruses" -> ``virus``, "SARS-CoV-2" -> ``sars_cov_2``, "public health"
        and "public_health" -> ``public_health``, "neutralizing antibody" ->
        ``neutralize_antibody`` (the phrase the corpus forms from the lemmas).
        Stop words and numbers are kept inside a multi-word term, so "rate of
        infection" -> ``rate_of_infection`` and "IL 6" -> ``il_6`` as a phrase
        layer or the tokenizer would write them.
        """
        parts = []
        for raw in simple_tokenizer(text.replace("_", " ")):
            surface = raw.lower()
            if surface in self.stopwords:
                parts.append(surface)
            elif not any(c.isalpha() for c in surface):
                parts.append(_NON_WORD.sub("_", surface).strip("_"))
            else:
                parts.append(normalise_token(raw))
        return "_".join(p for p in parts if p)

    # -- persistence

    def save(self, directory: Path) -> None:
        """Write the stop words, phrase layers and settings into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "stopwords.txt").write_text(
            "".join(f"{w}\n" for w in sorted(self.stopwords)), encoding="utf-8"
        )
        for i, layer in enumerate(self.layers, start=1):
            layer.save(str(directory / f"phrases-{i}.gensim"))
        meta = {
            "settings": asdict(self.settings),
            "layers": len(self.layers),
            "versions": {"simplemma": version("simplemma"), "gensim": version("gensim")},
        }
        (directory / "prepare.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> TextPreparer:
        """Read a preparer written by :meth:`save` (a folder we wrote: gensim pickles)."""
        meta_path = directory / "prepare.json"
        if not meta_path.is_file():
            raise PreparationError(f"{directory} holds no prepare.json: not a saved text preparer")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        saved = meta.get("versions", {}).get("simplemma", "")
        current = version("simplemma")
        if saved.split(".")[:1] != current.split(".")[:1]:
            warnings.warn(
                f"the topic model's text was lemmatised with simplemma {saved}, this is "
                f"{current}: lemmas of new papers may differ from the training vocabulary",
                stacklevel=2,
            )
        stopwords = frozenset(
            _read_word_list((directory / "stopwords.txt").read_text(encoding="utf-8"))
        )
        # gensim 4.4 warns on every load that a FrozenPhrases has no corpus_word_count
        # (it never saves one); the count is unused by the default scorer
        phrases_log = logging.getLogger("gensim.models.phrases")
        level = phrases_log.level
        phrases_log.setLevel(logging.ERROR)
        try:
            layers = [
                FrozenPhrases.load(str(directory / f"phrases-{i}.gensim"))
                for i in range(1, int(meta["layers"]) + 1)
            ]
        finally:
            phrases_log.setLevel(level)
        return cls(stopwords, layers, PrepSettings(**meta["settings"]))
