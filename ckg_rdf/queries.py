"""Named SPARQL queries: the ``sparql/*.rq`` files users can read and adapt.

Each file starts with comment lines: the first says what the query answers;
``# param: NAME description`` lines name variables a caller may bind (SPARQL
SEP-0007 substitution), which otherwise stay free so the query still answers
for every value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from ckg_rdf.resources import sparql_dir

_EXAMPLE = re.compile(r'e\.g\. (<[^>]+>|"[^"]*")')


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    text: str
    params: dict[str, str] = field(default_factory=dict)

    def examples(self) -> dict[str, NamedNode | Literal]:
        """Example bindings from the ``# param:`` lines ('e.g. <iri>' or 'e.g. "text"')."""
        found: dict[str, NamedNode | Literal] = {}
        for name, doc in self.params.items():
            match = _EXAMPLE.search(doc)
            if match:
                value = match.group(1)
                found[name] = NamedNode(value[1:-1]) if value[0] == "<" else Literal(value[1:-1])
        return found

    @classmethod
    def from_file(cls, path: Path) -> NamedQuery:
        text = path.read_text(encoding="utf-8")
        description = ""
        params: dict[str, str] = {}
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            body = line.lstrip("#").strip()
            if body.startswith("param:"):
                name, _, doc = body[len("param:") :].strip().partition(" ")
                params[name.lstrip("?$")] = doc.strip()
            elif not description:
                description = body
        return cls(path.stem, description, text, params)


#: the subfolder of federated examples (they call other endpoints through SERVICE)
FEDERATED = "federated"


def named_queries(directory: Path | None = None) -> dict[str, NamedQuery]:
    """All named queries by name, sorted; the federated examples as ``federated/NAME``."""
    directory = directory or sparql_dir()
    found = {p.stem: NamedQuery.from_file(p) for p in sorted(directory.glob("*.rq"))}
    for p in sorted((directory / FEDERATED).glob("*.rq")):
        q = NamedQuery.from_file(p)
        found[f"{FEDERATED}/{q.name}"] = NamedQuery(
            f"{FEDERATED}/{q.name}", q.description, q.text, q.params
        )
    return found
