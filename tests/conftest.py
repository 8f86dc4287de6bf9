"""Shared fixtures: the spaCy pipeline and the built sample graph, each made once per test session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def nlp():
    """The extraction pipeline (blank English + rule components), built once."""
    from kg.extract import build_pipeline

    return build_pipeline()


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """A fresh build of the bundled sample corpus: the output directory (graph.ttl, graph.html)."""
    from kg.build import build_graph_files

    out = tmp_path_factory.mktemp("sample")
    build_graph_files(None, out, html=True)
    return out


@pytest.fixture(scope="session")
def sample_graph_path(sample_build):
    """Path of the freshly built sample graph.ttl."""
    return sample_build / "graph.ttl"


@pytest.fixture(scope="session")
def sample_graph(sample_graph_path):
    """The freshly built sample graph, parsed (do not modify: it is shared)."""
    from kg.graph import read_graph

    return read_graph(sample_graph_path)
