"""``ckg export DIR --shards N``: N line-cut files that load back into the same dataset."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox

from ckg_rdf.store.shards import LineShards
from tests.clitools import ckg


def _quads(paths: list[Path]) -> set[ox.Quad]:
    out: set[ox.Quad] = set()
    for path in paths:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        out.update(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    return out


def test_lines_are_never_cut_and_every_shard_exists(tmp_path: Path) -> None:
    sink = LineShards(tmp_path, 3, per_file=2, ext="nt", gz=False)
    # written in pieces that split lines, as a serializer's buffer does
    text = b"".join(f"<urn:s{i}> <urn:p> <urn:o> .\n".encode() for i in range(7))
    for i in range(0, len(text), 11):
        sink.write(text[i : i + 11])
    sink.close()
    assert [p.name for p in sink.paths] == [f"part-0000{n}-of-00003.nt" for n in (1, 2, 3)]
    lines = [p.read_bytes().splitlines() for p in sink.paths]
    assert [len(x) for x in lines] == [2, 2, 3]  # the last file takes the rest
    assert b"".join(b"".join(line + b"\n" for line in x) for x in lines) == text


def test_a_small_store_still_yields_the_promised_number_of_files(tmp_path: Path) -> None:
    sink = LineShards(tmp_path, 4, per_file=10, ext="nq", gz=True)
    sink.write(b"<urn:s> <urn:p> <urn:o> <urn:g> .\n")
    sink.close()
    assert len(sink.paths) == 4 and all(p.exists() for p in sink.paths)
    assert len(_quads(sink.paths)) == 1


def test_the_shards_of_a_built_store_hold_exactly_its_quads(built_sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store_dir = built_sample[0]
    whole = tmp_path / "whole.nq"
    assert ckg("export", str(whole), "--store", str(store_dir)).returncode == 0
    out = tmp_path / "shards"
    result = ckg("export", str(out), "--store", str(store_dir), "--shards", "5", "--gzip")
    assert result.returncode == 0, result.stderr
    parts = sorted(out.iterdir())
    assert len(parts) == 5 and all(p.name.endswith(".nq.gz") for p in parts)
    expected = set(ox.parse(whole.read_bytes(), format=ox.RdfFormat.N_QUADS))
    assert _quads(parts) == expected
    # about equal: no shard holds more than twice its share of lines
    sizes = [len(gzip.decompress(p.read_bytes()).splitlines()) for p in parts]
    assert max(sizes[:-1]) <= 2 * len(expected) / 5


def test_shards_need_a_line_based_format(built_sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = ckg(
        "export", str(tmp_path / "x"), "--store", str(built_sample[0]), "--shards", "2", "-f", "ttl"
    )
    assert result.returncode != 0
    assert "line-based" in result.stderr and "Traceback" not in result.stderr
