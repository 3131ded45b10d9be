"""Build settings as data: one validated object, from a TOML file and command-line overrides.

``ckg build --config build.toml`` reads the file; every flag given on the
command line overrides the file's value; what is left takes the defaults
below. The result (:class:`BuildConfig`) is resolved here and nowhere else,
recorded with the build (in the build state and as provenance in the graph),
and read back by later commands (``ckg embed``, ``ckg concepts``,
``ckg serve``) instead of being derived again, so they mint the same IRIs
and use the same settings as the build did.

A file looks like this (every key optional)::

    base_iri = "https://example.org/kg/"
    [store]
    location = "http://127.0.0.1:7878/query"
    [concepts]
    backend = "vocab"
    [embeddings]
    kge_epochs = 50
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ckg_rdf.errors import ConfigError
from ckg_rdf.rdf.iris import DEFAULT_BASE_IRI, BaseIriError, normalise_base

DEFAULT_DATA_DIR = "ckg-data"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreSettings(_Section):
    """Where the graph is kept."""

    #: a data directory (embedded Oxigraph), or the URL of a SPARQL 1.1 query endpoint
    location: str = DEFAULT_DATA_DIR
    #: the local data directory (build state, caches, vector index) when ``location`` is a URL
    data_dir: str | None = None
    #: SPARQL Update endpoint of a remote store (default: ``.../update`` beside ``.../query``)
    update_url: str | None = None
    #: Graph Store Protocol endpoint of a remote store (default: ``.../store``)
    gsp_url: str | None = None
    timeout_s: float = Field(60.0, gt=0)
    #: N-Triples a build stages on disk before each bulk load, in MiB; the build state is
    #: saved at each load, so it is also how much work an interrupted build redoes. Every
    #: load is one set of compressed files: fewer, larger loads keep the store small.
    checkpoint_mb: int = Field(64, ge=1)

    @property
    def is_remote(self) -> bool:
        return self.location.startswith(("http://", "https://"))

    def data_path(self) -> Path:
        """The local data directory: the location itself, or ``data_dir`` for a remote store."""
        if self.is_remote:
            return Path(self.data_dir or DEFAULT_DATA_DIR)
        return Path(self.location)


class ConceptSettings(_Section):
    """The concept step (``ckg_rdf.extract.concepts``)."""

    enabled: bool = True
    #: a name in the concept-extractor registry (``ckg concepts --help`` lists them)
    backend: str = "vocab"
    #: a local model folder, for backends that load one
    model: str | None = None


class EmbeddingSettings(_Section):
    """Paper vectors and the similar-papers index (``ckg_rdf.embed``)."""

    enabled: bool = True
    #: a name in the text-model registry or a local model folder (None: the default model)
    text_model: str | None = None
    max_body_windows: int = Field(2, ge=0)
    batch_size: int = Field(32, ge=1)
    #: a CORD-19 ``cord_19_embeddings*.csv`` (SPECTER) to use instead of a text model
    specter_csv: str | None = None
    #: a name in the KGE backend registry
    kge_backend: str = "pykeen"
    kge_epochs: int = Field(50, ge=1)
    kge_dim: int = Field(64, ge=2)
    kge_seed: int = 0
    #: weights of the (semantic, kg) parts of the combined space
    weights: tuple[float, float] = (1.0, 1.0)


class TopicSettingsConfig(_Section):
    """The seeded topic model (``ckg_rdf.topics``) and paper->topic links."""

    enabled: bool = True
    #: a seed file (TOML, see ckg_rdf/topics/data/seeds.toml); None: the packaged one
    seeds: str | None = None
    #: a labels file (TOML ``id = "label"``) overriding automatic labels
    labels: str | None = None
    #: unseeded topics added after the seeded ones
    extra_topics: int = Field(0, ge=0)
    iterations: int = Field(500, ge=1)
    #: a paper is linked to each topic whose probability reaches this
    threshold: float = Field(0.1, gt=0, le=1)


class SearchSettings(_Section):
    """The full-text search index beside the store (``ckg_rdf.search``; ``/search``)."""

    #: off for a build whose graph is served elsewhere (a remote store, a cluster run)
    enabled: bool = True


class ExecutorSettings(_Section):
    """How paper batches are run (``ckg_rdf.pipeline.executors``)."""

    #: a name in the executor registry: ``local`` (in this process) or ``dask``
    name: str = "local"
    #: a Dask scheduler address (``tcp://HOST:PORT``); None starts a local cluster
    scheduler: str | None = None
    #: worker processes of a local cluster (None: one per core)
    workers: int | None = Field(None, ge=1)
    #: papers per batch
    batch_size: int = Field(256, ge=1)


class BuildConfig(_Section):
    """Everything a build needs to know, resolved."""

    base_iri: str = DEFAULT_BASE_IRI
    corpus_dir: str | None = None
    limit: int | None = Field(None, ge=1)
    store: StoreSettings = StoreSettings()
    concepts: ConceptSettings = ConceptSettings()
    embeddings: EmbeddingSettings = EmbeddingSettings()
    topics: TopicSettingsConfig = TopicSettingsConfig()
    search: SearchSettings = SearchSettings()
    executor: ExecutorSettings = ExecutorSettings()

    @field_validator("base_iri")
    @classmethod
    def _base(cls, value: str) -> str:
        try:
            return normalise_base(value)
        except BaseIriError as exc:
            raise ValueError(str(exc)) from None

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> BuildConfig:
        return _validate(json.loads(text), "the recorded configuration")


def _merge(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``overrides`` (dotted keys, ``None`` meaning 'not given') merged into ``base``."""
    out = json.loads(json.dumps(base))
    for dotted, value in overrides.items():
        if value is None:
            continue
        node = out
        *parents, leaf = dotted.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return out


def _validate(data: Mapping[str, Any], source: str) -> BuildConfig:
    try:
        return BuildConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}"
            for e in exc.errors()
        )
        raise ConfigError(f"{source} is not a valid ckg-rdf configuration: {problems}") from None


def load_config(
    path: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    recorded: BuildConfig | None = None,
) -> BuildConfig:
    """The resolved configuration: defaults < ``recorded`` < the file at ``path`` < ``overrides``.

    ``overrides`` uses dotted keys (``"embeddings.kge_epochs"``); a ``None`` value
    means the option was not given.
    """
    data: dict[str, Any] = recorded.model_dump(mode="json") if recorded else {}
    source = "the configuration"
    if path is not None:
        source = str(path)
        try:
            with path.open("rb") as fh:
                data = _merge(data, _flatten(tomllib.load(fh)))
        except FileNotFoundError:
            raise ConfigError(f"no configuration file {path}") from None
        except IsADirectoryError:
            raise ConfigError(f"{path} is a directory, not a TOML configuration file") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return _validate(_merge(data, overrides or {}), source)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out
