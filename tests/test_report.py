"""The HTML report: content from a small graph with known answers, offline and deterministic, opens cleanly
in headless Chromium; `kg report` succeeds and fails with one line; `kg build` writes it linked to the view."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from kg.analyze import add_topics
from kg.cli import cli
from kg.extract import Entity, Link, PaperExtraction, Result
from kg.graph import build_graph, write_graph
from kg.ingest import Paper
from kg.report import render_report, report_data, write_report

GSM = Entity("Dataset", "gsm8k", "GSM8K", benchmark=True)
MATH = Entity("Dataset", "math", "MATH", benchmark=True)
GPU = Entity("Hardware", "gpu", "GPU")
A100 = Entity("Hardware", "nvidia-a100", "NVIDIA A100")


def _paper(i, date, links, results=()):
    ents = {"gsm": GSM, "math": MATH, "gpu": GPU, "a100": A100}
    ext = PaperExtraction(links=[Link(kind, ents[e] if e in ents else Entity(*e), f"Paper {i} {kind}.", 0.9, "t")
                                 for kind, e in links],
                          results=list(results))
    return Paper(title=f"Paper {i}", abstract="A.", id=f"2401.0000{i}", date=date), ext


def _result(value, kind="absolute", system=None, unit="%"):
    return Result(GSM, value, unit, kind, f"It reaches {value}.", 0.8, system=system, metric="accuracy")


@pytest.fixture(scope="module")
def small():
    """Four dated papers over two months: GSM8K used by all, three results, hardware in two papers."""
    foo = Entity("Method", "foonet", "FooNet")
    bar = Entity("Model", "bar-7b", "Bar-7B")
    pairs = [
        _paper(1, "2024-01-10", [("evaluatedOn", "gsm"), ("proposes", ("Method", "foonet", "FooNet")),
                                 ("targetsHardware", "gpu")],
               [_result("71.5", system=foo), _result("3.2", kind="improvement", system=foo)]),
        _paper(2, "2024-01-20", [("evaluatedOn", "gsm"), ("usesMethod", ("Method", "foonet", "FooNet")),
                                 ("targetsHardware", "a100")], [_result("80.1", system=bar)]),
        _paper(3, "2024-02-05", [("evaluatedOn", "gsm"), ("evaluatedOn", "math"), ("usesModel", ("Model", "bar-7b", "Bar-7B"))]),
        _paper(4, "2024-02-15", [("evaluatedOn", "gsm"), ("evaluatedOn", "math"), ("usesModel", ("Model", "bar-7b", "Bar-7B"))]),
    ]
    return build_graph(pairs)


@pytest.fixture(scope="module")
def small_html(small):
    """The report of `small`, rendered once for the module (rendering draws nine charts)."""
    return render_report(small, graph_href="graph.html")


def test_report_data_has_counts_leaderboards_hardware_areas_and_trends(small):
    d = report_data(small)
    assert d.counts["papers"] == 4 and d.counts["results"] == 3
    assert d.central["Benchmark"][0].label == "GSM8K"
    board = d.leaderboards[0]
    assert board["label"] == "GSM8K" and board["papers"] == 4
    assert [(r["rank"], r["system"], r["shown"], r["kind"]) for r in board["rows"]] == [
        (1, "Bar-7B", "80.1%", "absolute"), (2, "FooNet", "71.5%", "absolute"), ("", "FooNet", "3.2%", "improvement")]
    assert d.leaderboards[1]["label"] == "MATH" and d.leaderboards[1]["rows"] == []
    assert [h["label"] for h in d.hardware] == ["GPU", "NVIDIA A100"]
    assert sum(len(t["papers"]) for t in d.topics) == 4
    assert d.trends["Benchmark"]["periods"] == ["2024-01", "2024-02"]
    assert d.trends["Benchmark"]["series"]["GSM8K"] == [2, 2]
    assert d.trends["Benchmark"]["series"]["MATH"] == [0, 2]
    assert d.trends["Model"]["series"] == {"Bar-7B": [0, 2]}


def test_report_is_self_contained_with_titled_labelled_charts(small_html):
    html = small_html
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"<(script|link|img|iframe)\b", html), "the report must load nothing"
    assert not re.search(r"url\((?!#)|@import", html), "only in-page references (SVG clip paths) are allowed"
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert '<a href="graph.html">' in html
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    # 4 top-entity charts (Method, Model, Benchmark, Hardware), benchmarks, hardware, areas, 2 trends
    assert len(svgs) == 9
    for title in ("Benchmarks: top 2 by centrality", "Most-used benchmarks", "Hardware named by papers",
                  "Research areas by size", "Use of the top benchmarks over time", "Use of the top models over time"):
        assert title in html
    for axis in ("papers evaluating on it", "centrality (PageRank", ">month<", ">papers<"):
        assert axis in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "inlined SVGs must not share element ids"
    assert "<metadata>" not in html and "<dc:date>" not in html


def test_report_without_dates_or_links_says_so():
    from rdflib import Graph

    html = render_report(Graph())
    assert "carry no dates" in html and "no paper&ndash;entity links" in html
    assert "<svg" not in html


def test_report_uses_topics_stored_in_the_graph(small, small_html):
    g = small + small  # a copy: the fixture is shared
    topics = add_topics(g, [])
    assert topics == [] and report_data(g).topics  # none stored: computed
    topics = add_topics(g)
    assert [t["label"] for t in report_data(g).topics] == [t.label for t in topics]
    assert all(t.label in small_html for t in topics)


def test_write_report_is_atomic_and_deterministic(tmp_path, small, small_html):
    write_report(small, tmp_path / "sub" / "r.html", graph_href="graph.html")
    assert (tmp_path / "sub" / "r.html").read_text(encoding="utf-8") == small_html
    assert not list((tmp_path / "sub").glob(".*.tmp"))


# ---------------------------------------------------------------------------------------------- CLI

def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)), catch_exceptions=False)


def test_cli_report(tmp_path, small):
    write_graph(small, tmp_path / "graph.ttl")
    r = run("report", "--graph", tmp_path / "graph.ttl", "-o", tmp_path / "out" / "report.html")
    assert r.exit_code == 0, r.output
    assert r.output.strip() == f"Wrote {tmp_path / 'out' / 'report.html'}"
    assert "GSM8K" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_cli_report_errors(tmp_path):
    r = run("report", "--graph", tmp_path / "none.ttl", "-o", tmp_path / "r.html")
    assert r.exit_code == 1
    assert r.output.strip().splitlines() == [f"Error: {tmp_path / 'none.ttl'}: no such graph file (build one with `kg build`)"]
    assert not (tmp_path / "r.html").exists()
    r = run("report", "--store", tmp_path / "nowhere", "-o", tmp_path / "r.html")
    assert r.exit_code == 1 and "Error: " in r.output and "no such store directory" in r.output


# ------------------------------------------------------------------------------------ the built sample

def test_build_writes_report_linked_to_the_view_with_areas_in_the_graph(sample_build, sample_graph):
    from rdflib import RDF

    from kg.vocab import KG

    html = (sample_build / "report.html").read_text(encoding="utf-8")
    assert '<a href="graph.html">' in html
    topics = set(sample_graph.subjects(RDF.type, KG.Topic))
    assert len(topics) >= 3
    assert len(set(sample_graph.subjects(KG.inTopic, None))) >= 30


def test_sample_report_opens_offline_in_chromium_with_charts(browser, sample_build):
    url = (sample_build / "report.html").resolve().as_uri()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(url, wait_until="load")
        assert errors == []
        assert requests == [url], "the report must make no request besides its own file"
        boxes = page.eval_on_selector_all(
            "figure.chart svg", "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })")
        assert len(boxes) >= 8
        assert all(w > 250 and h > 100 for w, h in boxes), boxes
        sections = page.eval_on_selector_all("h2", "els => els.map(e => e.textContent)")
        assert sections[:3] == ["Counts", "Top entities per type", "Leaderboards of the most-used benchmarks"]
        assert page.locator("table tbody tr").count() >= 5
        assert page.locator(".area").count() >= 3
    finally:
        page.close()
