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


def load_bench_generator():
    """The synthetic corpus generator of bench/generate.py, imported by path (bench/ is not a package)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "bench" / "generate.py"
    spec = importlib.util.spec_from_file_location("paperkg_bench_generate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def synthetic_corpus(tmp_path_factory):
    """A factory: ``synthetic_corpus(n, start=0)`` -> a JSON Lines file of synthetic papers start..start+n-1."""
    gen = load_bench_generator()
    root = tmp_path_factory.mktemp("synthetic")

    def make(n: int, start: int = 0):
        return gen.write_corpus(root / f"papers-{start}-{start + n}.jsonl", n, start=start)

    return make


@pytest.fixture(scope="session")
def sample_corpus_30(synthetic_corpus):
    """Thirty synthetic papers (bench/generate.py), for quick builds."""
    return synthetic_corpus(30)
