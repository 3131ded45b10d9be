"""The learned concept backend (issue 15): CRF taggers trained on public NER corpora.

Nothing heavy is imported here, so importing the package costs nothing:
``make_learned_extractor`` loads the taggers (python-crfsuite) and the
vocabulary when called. ``train`` rebuilds the shipped models.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ckg_rdf.extract.concepts.learned.crf import CrfExtractor


def make_learned_extractor(model_dir: Path | None = None) -> CrfExtractor:
    """The learned backend with the shipped models (or those in ``model_dir``)."""
    from ckg_rdf.extract.concepts.learned.crf import CrfExtractor

    return CrfExtractor(model_dir)


__all__ = ["make_learned_extractor"]
