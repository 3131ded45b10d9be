"""Optional backend: a transformers token-classification model from a local folder.

For users who have biomedical NER weights (``--ner-model PATH``); nothing is
downloaded. Needs the ``[model]`` extra (torch, transformers). The model's
labels are mapped to our types by name (``B-Disease`` -> MEDICAL_CONDITION,
``CHEMICAL`` -> MEDICATION, ...); labels we cannot map are dropped. A span
whose text is a vocabulary surface form is linked to that vocabulary concept,
otherwise it becomes a concept of its own, ``ner-{type}-{text}``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from ckg_rdf.extract.concepts.base import CONCEPT_TYPES, ConceptInfo, ExtractorError, Mention
from ckg_rdf.extract.concepts.negation import NEGATABLE_TYPES, is_negated
from ckg_rdf.extract.concepts.normalise import normalise_term

#: label stems used by common biomedical NER datasets -> our types
LABEL_MAP: dict[str, str] = {
    **{t: t for t in CONCEPT_TYPES},
    "DISEASE": "MEDICAL_CONDITION",
    "DISORDER": "MEDICAL_CONDITION",
    "PROBLEM": "MEDICAL_CONDITION",
    "SIGN_SYMPTOM": "MEDICAL_CONDITION",
    "CONDITION": "MEDICAL_CONDITION",
    "CHEMICAL": "MEDICATION",
    "DRUG": "MEDICATION",
    "MEDICATION": "MEDICATION",
    "GENE": "GENE_OR_PROTEIN",
    "PROTEIN": "GENE_OR_PROTEIN",
    "GENE_OR_GENE_PRODUCT": "GENE_OR_PROTEIN",
    "SPECIES": "ORGANISM",
    "ORGANISM": "ORGANISM",
    "ANATOMY": "ANATOMY",
    "BIOLOGICAL_STRUCTURE": "ANATOMY",
    "TEST": "TEST_TREATMENT_PROCEDURE",
    "TREATMENT": "TEST_TREATMENT_PROCEDURE",
    "PROCEDURE": "TEST_TREATMENT_PROCEDURE",
    "DIAGNOSTIC_PROCEDURE": "TEST_TREATMENT_PROCEDURE",
    "THERAPEUTIC_PROCEDURE": "TEST_TREATMENT_PROCEDURE",
}

MODEL_SOURCE = "token-classification model"


def map_label(label: str) -> str | None:
    """``B-Disease`` / ``I-CHEMICAL`` / ``Disease`` -> our type, or None."""
    stem = re.sub(r"^[BIES]-", "", label).upper().replace("-", "_").replace(" ", "_")
    return LABEL_MAP.get(stem)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "x"


class TransformersExtractor:
    """Runs a local token-classification model; ``linker`` maps spans to vocabulary ids."""

    name = "model"

    def __init__(
        self,
        model_dir: Path,
        *,
        linker: dict[str, tuple] | None = None,
        linker_concepts: dict[str, ConceptInfo] | None = None,
        batch_size: int = 16,
        device: str = "cpu",
    ) -> None:
        if not model_dir.is_dir():
            raise ExtractorError(f"--ner-model {model_dir}: not a folder with a saved model")
        if not (model_dir / "config.json").exists():
            raise ExtractorError(
                f"--ner-model {model_dir}: no config.json; save the model with "
                "save_pretrained() (and its tokenizer) into that folder"
            )
        try:
            from transformers import pipeline
        except ImportError as exc:
            raise ExtractorError(
                "the model backend needs torch and transformers: "
                "pip install torch==2.13.0 && pip install -e '.[model]'"
            ) from exc
        try:
            self._pipe = pipeline(
                "token-classification",
                model=str(model_dir),
                tokenizer=str(model_dir),
                aggregation_strategy="simple",
                device=device,
            )
        except (OSError, ValueError) as exc:
            raise ExtractorError(f"cannot load the model in {model_dir}: {exc}") from exc
        self.batch_size = batch_size
        self._linker = linker or {}
        self._linker_concepts = linker_concepts or {}
        self._concepts: dict[str, ConceptInfo] = {}
        digest = hashlib.sha256((model_dir / "config.json").read_bytes())
        for weights in sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("*.bin")):
            digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
        self.version = f"model-1+{digest.hexdigest()[:12]}"

    def concept(self, concept_id: str) -> ConceptInfo | None:
        return self._concepts.get(concept_id) or self._linker_concepts.get(concept_id)

    def _link(self, text: str, ctype: str) -> str:
        key = normalise_term(text)
        for cand in self._linker.get(key, ()):
            info = self._linker_concepts.get(cand[0])
            if info is not None and info.type == ctype:
                return info.concept_id
        cid = f"ner-{ctype.lower().replace('_', '-')}-{_slug(text)}"
        if cid not in self._concepts:
            self._concepts[cid] = ConceptInfo(cid, text, ctype, MODEL_SOURCE, self.version)
        return cid

    def extract(self, text: str) -> list[Mention]:
        return self.extract_batch([text])[0]

    def extract_batch(self, texts: Sequence[str]) -> list[list[Mention]]:
        if not texts:
            return []
        idx = [i for i, t in enumerate(texts) if t.strip()]
        results: list[list[Mention]] = [[] for _ in texts]
        if not idx:
            return results
        raw = self._pipe([texts[i] for i in idx], batch_size=self.batch_size)
        for i, ents in zip(idx, raw, strict=True):
            text = texts[i]
            for ent in ents:
                ctype = map_label(str(ent.get("entity_group") or ent.get("entity") or ""))
                start, end = ent.get("start"), ent.get("end")
                if ctype is None or start is None or end is None or end <= start:
                    continue
                span = text[start:end]
                if not span.strip():
                    continue
                negated = ctype in NEGATABLE_TYPES and is_negated(text, start, end)
                results[i].append(
                    Mention(
                        start,
                        end,
                        span,
                        self._link(span, ctype),
                        ctype,
                        float(ent.get("score", 0.0)),
                        negated,
                    )
                )
        return results


def make_model_extractor(model_dir: str | None = None) -> TransformersExtractor:
    """The registry's ``model`` extractor: a local model folder, linked to the vocabularies."""
    from ckg_rdf.extract.concepts.matcher import VocabularyMatcher

    if not model_dir:
        raise ExtractorError(
            "the model backend needs a local model folder: --ner-model PATH "
            "(or [concepts] model = PATH in the configuration)"
        )
    vocab = VocabularyMatcher()
    return TransformersExtractor(
        Path(model_dir), linker=vocab.index.lookup, linker_concepts=vocab.index.concepts
    )
