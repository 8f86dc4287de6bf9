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


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by playwright, launched once (nothing is downloaded).

    Tests using it are skipped when playwright or /usr/bin/chromium is missing, except under CI=true,
    where they fail: CI must really open the pages.
    """
    import os
    from pathlib import Path

    def missing(why):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why} (required under CI=true)")
        pytest.skip(why)

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright package is not installed")
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} not found (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
