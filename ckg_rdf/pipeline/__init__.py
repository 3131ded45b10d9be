"""Wiring corpus -> extract -> rdf -> store, with progress and a final report."""

from ckg_rdf.pipeline.build import BuildReport, build

__all__ = ["BuildReport", "build"]
