"""Finding the files of a CORD-19 release, whatever its layout.

Three layouts exist in the wild:

* final (2020-06 on): ``document_parses/pdf_json/<sha>.json`` and
  ``document_parses/pmc_json/<PMCID>.xml.json``;
* April-May 2020: ``<subset>/pdf_json/<sha>.json`` and ``<subset>/pmc_json/...``;
* March 2020: ``<subset>/<sha>.json`` (sometimes nested ``<subset>/<subset>/``).

Rather than trusting the path columns of metadata.csv (they describe the final
layout only), we discover the directories that hold JSON parses once and look
files up by SHA or PMCID in each. Only directory names are kept in memory, never
one entry per file, so memory does not grow with the corpus.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ckg_rdf.errors import CkgError

METADATA_NAMES = ("metadata.csv",)


class CorpusError(CkgError, ValueError):
    """The directory is not a CORD-19 release we can read."""


@dataclass
class CorpusLayout:
    root: Path
    metadata_csv: Path | None
    json_dirs: list[Path] = field(default_factory=list)

    @staticmethod
    def check_root(root: Path) -> None:
        """Raise :class:`CorpusError` unless ``root`` is an existing directory."""
        if not root.exists():
            raise CorpusError(f"corpus directory {root} does not exist")
        if not root.is_dir():
            raise CorpusError(f"{root} is not a directory: give the folder of a CORD-19 release")

    @classmethod
    def discover(cls, root: Path) -> CorpusLayout:
        """Inspect ``root``; raise :class:`CorpusError` if nothing readable is there."""
        cls.check_root(root)
        metadata = next((root / n for n in METADATA_NAMES if (root / n).is_file()), None)
        json_dirs = sorted(_dirs_with_json(root))
        if metadata is None and not json_dirs:
            raise CorpusError(
                f"{root} holds neither a metadata.csv nor any full-text JSON parse "
                "(expected metadata.csv and document_parses/pdf_json/*.json, or per-subset folders)"
            )
        return cls(root=root, metadata_csv=metadata, json_dirs=json_dirs)

    def find_pdf_parse(self, sha: str) -> Path | None:
        return self._find(f"{sha}.json", prefer="pdf_json")

    def find_pmc_parse(self, pmcid: str) -> Path | None:
        return self._find(f"{pmcid}.xml.json", prefer="pmc_json")

    def _find(self, name: str, prefer: str) -> Path | None:
        ordered = sorted(self.json_dirs, key=lambda d: d.name != prefer)
        for directory in ordered:
            candidate = directory / name
            if candidate.is_file():
                return candidate
        return None

    def iter_json_files(self) -> Iterator[Path]:
        """Every full-text parse of the release, streamed directory by directory."""
        for directory in self.json_dirs:
            with os.scandir(directory) as entries:
                names = sorted(e.name for e in entries if e.name.endswith(".json") and e.is_file())
            for name in names:
                yield directory / name


def parse_id(path: Path) -> str:
    """The id a parse file is named by: a SHA-1 or a PMCID."""
    name = path.name
    return name[: -len(".xml.json")] if name.endswith(".xml.json") else path.stem


def _dirs_with_json(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        if any(f.endswith(".json") for f in filenames):
            yield Path(dirpath)
