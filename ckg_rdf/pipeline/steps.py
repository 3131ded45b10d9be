"""The step interface: how a stage of the build turns papers into triples.

``ckg build`` streams papers through a list of steps in batches. For every
paper and step, the build remembers (in the store's state database) the
paper's input fingerprint and the step's ``version``; a paper whose
fingerprint and step version are unchanged is not given to that step again.
That is what makes builds resumable and re-runs cheap, and why a step must
change its ``version`` whenever its output for the same input would change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from pyoxigraph import Triple

from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.rdf.iris import IriMinter
from ckg_rdf.store.base import GraphStore


@runtime_checkable
class PaperStep(Protocol):
    #: short name, also the CLI's name for it ("papers", "concepts", ...)
    name: str
    #: changes whenever the step's output for the same input changes
    version: str

    def triples(self, papers: Sequence[PaperRecord], minter: IriMinter) -> Iterable[Triple]:
        """The triples this step asserts about a batch of papers."""
        ...

    def summary(self) -> dict[str, int]:
        """Counts for the end-of-run report (for example mentions found)."""
        ...


@runtime_checkable
class GraphStage(Protocol):
    """A stage that runs once over the whole store after the paper steps.

    Citation resolution and embeddings are stages: they need every paper first.
    """

    name: str

    def run(self, store: GraphStore, minter: IriMinter) -> dict[str, int]:
        """Do the work, write results into ``store``, and return report counts."""
        ...
