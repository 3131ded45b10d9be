"""The data directory: one object that owns the layout of everything a build keeps locally.

```
ckg-data/
  oxigraph/           the RDF store (embedded backend only)
  state.sqlite        build state: per-paper fingerprints, citation keys, recorded settings
  build.json          the id and time of the last finished build (servers watch it)
  problems.tsv        the last build's input problems
  embed-cache.sqlite  text vectors by (paper, part, text hash, model)
  index/              the similar-papers vector index (derived; safe to delete)
  bm25/               the BM25 index over titles and abstracts (derived; safe to delete)
  topics/             the topic model (so new papers are inferred without retraining)
  search.sqlite       the full-text search index
  dumps/              the service's N-Quads dump of the build it serves (derived)
  writer.json         who holds the store's write lock, while one does
```

No other module spells one of these names. With a remote store the graph
lives on the server and everything else stays here.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ckg_rdf.config import BuildConfig, StoreSettings
from ckg_rdf.errors import CkgError, ConfigError
from ckg_rdf.store import STORES, GraphReader, GraphWriter, backend_for


@dataclass(frozen=True)
class DataDir:
    root: Path

    # -- layout ---------------------------------------------------------------
    @property
    def oxigraph(self) -> Path:
        return self.root / "oxigraph"

    @property
    def state_file(self) -> Path:
        return self.root / "state.sqlite"

    @property
    def build_file(self) -> Path:
        return self.root / "build.json"

    @property
    def problems_file(self) -> Path:
        return self.root / "problems.tsv"

    @property
    def embed_cache(self) -> Path:
        return self.root / "embed-cache.sqlite"

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def bm25_dir(self) -> Path:
        return self.root / "bm25"

    @property
    def topics_dir(self) -> Path:
        return self.root / "topics"

    @property
    def search_file(self) -> Path:
        return self.root / "search.sqlite"

    @property
    def dumps_dir(self) -> Path:
        """Where the service keeps the N-Quads dump of the build it serves."""
        return self.root / "dumps"

    @property
    def spool_dir(self) -> Path:
        """Where a build stages N-Triples between bulk loads (emptied at each load)."""
        return self.root / "spool"

    @property
    def writer_file(self) -> Path:
        return self.root / "writer.json"

    # -- checks ---------------------------------------------------------------
    def check_usable(self) -> None:
        """Raise a clear error when the path cannot be a data directory (it is a file)."""
        if self.root.exists() and not self.root.is_dir():
            raise CkgError(
                f"{self.root} is a file: --store names a data directory (or the URL of a "
                "SPARQL endpoint); choose another path"
            )

    def create(self) -> None:
        self.check_usable()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CkgError(
                f"cannot create the data directory {self.root}: {exc.strerror}"
            ) from None

    def is_built(self) -> bool:
        return self.state_file.exists() or self.oxigraph.exists()

    def require_built(self) -> None:
        """Raise the one 'no graph here' error every command shares."""
        self.check_usable()
        if not self.is_built():
            raise CkgError(
                f"no graph in {self.root}: build one with 'ckg build CORPUS_DIR --store "
                f"{self.root}' (or pass --store)"
            )

    # -- what the last build recorded ------------------------------------------
    def recorded(self) -> dict[str, str]:
        """The build state's settings table, read-only (safe while a build writes)."""
        if not self.state_file.exists():
            return {}
        db = sqlite3.connect(f"file:{self.state_file}?mode=ro", uri=True)
        try:
            return {str(k): str(v) for k, v in db.execute("SELECT key, value FROM meta")}
        except sqlite3.Error:
            return {}
        finally:
            db.close()

    def recorded_config(self) -> BuildConfig | None:
        """The resolved configuration of the last build, or None before the first."""
        text = self.recorded().get("config")
        if not text:
            return None
        try:
            return BuildConfig.from_json(text)
        except ConfigError:
            return None

    def build_id(self) -> str | None:
        """The id of the last finished build (changes with every build)."""
        with contextlib.suppress(OSError, ValueError):
            return str(json.loads(self.build_file.read_text())["id"])
        return None

    def build_info(self) -> dict[str, Any]:
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(self.build_file.read_text())
            if isinstance(data, dict):
                return data
        return {}

    def finish_build(self, **info: Any) -> str:
        """Record that a build finished: a new id servers notice, written atomically."""
        build_id = uuid.uuid4().hex[:12]
        record = {"id": build_id, "finished": datetime.now(UTC).isoformat(), **info}
        tmp = self.build_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=2))
        tmp.replace(self.build_file)
        return build_id

    # -- the store --------------------------------------------------------------
    def store_settings(self, explicit: StoreSettings | None = None) -> StoreSettings:
        """The store to use: ``explicit`` if given, else the one the last build used."""
        if explicit is not None:
            return explicit
        recorded = self.recorded_config()
        if recorded is not None:
            return recorded.store
        return StoreSettings(location=str(self.root))

    def open_store(
        self,
        settings: StoreSettings | None = None,
        *,
        write: bool = False,
        holder: str = "",
        graph_prefix: str | None = None,
    ) -> GraphWriter:
        """Open the graph for reading (the default) or writing.

        ``holder`` names the command that takes the write lock, for the message
        a second writer gets. The return type is the writer protocol; callers
        that only read should annotate it as a :class:`GraphReader`.
        """
        settings = self.store_settings(settings)
        backend = backend_for(settings.location)
        if backend == "oxigraph":
            if not write and not self.oxigraph.exists():
                self.require_built()
                raise CkgError(f"no RDF store in {self.root} (expected {self.oxigraph})")
            return STORES.create(
                backend,
                directory=self.oxigraph,
                read_only=not write,
                holder_file=self.writer_file,
                holder=holder,
            )
        return STORES.create(
            backend,
            query_url=settings.location,
            update_url=settings.update_url,
            gsp_url=settings.gsp_url,
            graph_prefix=graph_prefix,
            timeout_s=settings.timeout_s,
        )


def reader(store: GraphWriter) -> GraphReader:
    """The same store seen through its read side (for annotations)."""
    return store
