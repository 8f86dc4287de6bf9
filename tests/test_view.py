"""The HTML view: data preparation (classes, tooltips, escaping, determinism, focus, cap) and the page in a
real headless Chromium (offline, counts, search, type toggles, neighbourhood highlight, inert XSS).

The small graphs are made here from hand-written `Paper`/`Entity`/`Link` records; the sample view uses
the session's fresh build of the bundled corpus (tests/conftest.py).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import cli
from kg.errors import GraphError
from kg.extract import Entity, Link, PaperExtraction, Result
from kg.graph import GraphBuilder, entity_iri, paper_iri, write_graph
from kg.ingest import Paper
from kg.view import CLASS_STYLE, LINK_STYLE, render_html, screenshot, view_data, write_html

REPO = Path(__file__).resolve().parent.parent
XSS_TITLE = '<img src=x onerror="window.__xss=1">Evil</script><script>window.__xss=2</script>'
XSS_MODEL = '<b onmouseover="window.__xss=3">BadNet</b>'

LEAN = Entity(type="Method", key="lean-4", name="Lean 4")
GPT4 = Entity(type="Model", key="gpt-4", name="GPT-4", aliases=("GPT4", "gpt-4-0613"))
LLAMA = Entity(type="Model", key="llama-3-8b", name="Llama-3-8B", family=("Llama-3", "Llama"))
MINIF2F = Entity(type="Dataset", key="minif2f", name="MiniF2F", aliases=("miniF2F-test",), benchmark=True)
CORPUS = Entity(type="Dataset", key="proof-pile", name="Proof-Pile")
A100 = Entity(type="Hardware", key="nvidia-a100", name="NVIDIA A100")
PROVING = Entity(type="Task", key="theorem-proving", name="theorem proving")
PROVER = Entity(type="Model", key="foo-prover", name="FooProver")


def link(kind, entity, evidence="We do it.", confidence=0.9):
    return Link(kind, entity, evidence, confidence, "test")


def small_graph() -> Graph:
    """Two papers, every class, every link kind, a model family and a result."""
    p1 = Paper(title="FooProver: Proving Things with GPT-4", abstract="...", id="2401.00001", date="2024-01-02",
               url="https://arxiv.org/abs/2401.00001", authors=("Ada Lovelace", "Alan Turing"))
    p2 = Paper(title="Another Study of Provers", abstract="...", url="javascript:alert(1)")
    e1 = PaperExtraction(
        links=[link("proposes", PROVER, "We propose FooProver."), link("usesModel", PROVER, "FooProver uses it."),
               link("usesModel", GPT4, "We distil from GPT4.", 0.8), link("usesMethod", LEAN),
               link("evaluatedOn", MINIF2F, "FooProver reaches 60% on miniF2F-test."),
               link("usesDataset", CORPUS), link("targetsHardware", A100), link("addressesTask", PROVING)],
        results=[Result(dataset=MINIF2F, value="60.2", unit="%", kind="absolute", evidence="60.2% on MiniF2F",
                        confidence=0.9, system=PROVER, metric="pass@1")])
    e2 = PaperExtraction(links=[link("usesModel", GPT4), link("usesModel", LLAMA), link("evaluatedOn", MINIF2F)])
    b = GraphBuilder()
    b.add(p1, e1)
    b.add(p2, e2)
    return b.graph()


def xss_graph() -> Graph:
    evil = Entity(type="Model", key="badnet", name=XSS_MODEL)
    p = Paper(title=XSS_TITLE, abstract="...", url="https://example.org/</script>")
    b = GraphBuilder()
    b.add(p, PaperExtraction(links=[link("usesModel", evil, 'It says "</script><script>window.__xss=4</script>".')]))
    b.add(Paper(title="A Benign Paper", abstract="..."), PaperExtraction(links=[link("usesModel", GPT4)]))
    return b.graph()


@pytest.fixture(scope="module")
def graph():
    return small_graph()


def by_label(view):
    return {n["label"]: n for n in view.nodes}


# ------------------------------------------------------------------------------------------- data


def test_nodes_have_class_colour_shape_and_degree_size(graph):
    view = view_data(graph)
    nodes = by_label(view)
    assert {n["kgType"] for n in view.nodes} == set(CLASS_STYLE)
    for n in view.nodes:
        assert (n["color"], n["shape"]) == CLASS_STYLE[n["kgType"]][:2]
    assert nodes["MiniF2F"]["kgType"] == "Benchmark" and nodes["Proof-Pile"]["kgType"] == "Dataset"
    assert nodes["FooProver"]["kgType"] == "Paper"  # the name before the colon labels the paper
    assert nodes["GPT-4"]["value"] > nodes["Lean 4"]["value"]  # two papers against one
    assert [c["name"] for c in view.classes] == list(CLASS_STYLE)
    assert {c["name"]: c["count"] for c in view.classes}["Model"] == 5  # GPT-4, Llama-3-8B, FooProver + family


def test_edges_have_kind_colour_and_label_and_merge_parallel_links(graph):
    view = view_data(graph)
    kinds = {e["kind"] for e in view.edges}
    assert kinds == set(LINK_STYLE)
    for e in view.edges:
        assert e["color"] == LINK_STYLE[e["kind"]][0]
    p1, prover = str(paper_iri(Paper(title="x", abstract="", id="2401.00001"))), str(entity_iri("Model", "foo-prover"))
    (both,) = [e for e in view.edges if e["from"] == p1 and e["to"] == prover]
    assert both["label"] == "proposes, usesModel" and both["kind"] == "proposes"
    assert [x["evidence"] for x in both["info"]] == ["We propose FooProver.", "FooProver uses it."]
    family = [e for e in view.edges if e["kind"] == "variantOf"]
    assert len(family) == 2 and all(e["dashes"] for e in family)
    assert len({e["id"] for e in view.edges}) == len(view.edges)


def test_tooltip_data_for_papers_entities_and_links(graph):
    nodes = by_label(view_data(graph))
    paper = nodes["FooProver"]["info"]
    assert paper["title"] == "FooProver: Proving Things with GPT-4"
    assert paper["date"] == "2024-01-02" and paper["url"] == "https://arxiv.org/abs/2401.00001"
    assert paper["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert paper["results"] == ["MiniF2F: 60.2% pass@1"]
    assert "url" not in nodes["Another Study of Provers"]["info"]  # a javascript: URL is never a link
    gpt4 = nodes["GPT-4"]["info"]
    assert gpt4 == {"name": "GPT-4", "aliases": ["GPT4", "gpt-4-0613"], "papers": 2}
    assert nodes["Llama-3-8B"]["info"]["variantOf"] == ["Llama-3"]
    assert nodes["Llama"]["info"]["papers"] == 0
    ev = [x for e in view_data(graph).edges for x in e["info"] if x["kind"] == "evaluatedOn"]
    assert {"kind": "evaluatedOn", "evidence": "FooProver reaches 60% on miniF2F-test.", "confidence": 0.9} in ev


def test_focus_matches_label_or_alias_in_any_case_and_follows_depth(graph):
    def labels(**kw):
        return sorted(n["label"] for n in view_data(graph, **kw).nodes)

    assert labels(focus="minif2f-TEST", depth=0) == ["MiniF2F"]
    assert labels(focus="MINIF2F") == ["Another Study of Provers", "FooProver", "MiniF2F"]
    two = labels(focus="MiniF2F", depth=2)
    assert "GPT-4" in two and "Llama-3-8B" in two and "Llama" not in two
    view = view_data(graph, focus="gpt4", depth=1)
    assert view.focus == [str(entity_iri("Model", "gpt-4"))]


def test_focus_without_match_lists_close_matches(graph):
    with pytest.raises(GraphError, match=r"no node is labelled 'MiniF' .*close matches: MiniF2F"):
        view_data(graph, focus="MiniF")


def test_types_restrict_classes_and_drop_what_they_disconnect(graph):
    view = view_data(graph, types=["paper,dataset"])
    assert {n["kgType"] for n in view.nodes} == {"Paper", "Dataset", "Benchmark"}  # Dataset includes Benchmark
    hw = view_data(graph, types=["Hardware", "Paper"])
    assert sorted(n["label"] for n in hw.nodes) == ["FooProver", "NVIDIA A100"]  # the other paper has no hardware
    with pytest.raises(GraphError, match="unknown type 'Gadget'"):
        view_data(graph, types=["Gadget"])


def test_cap_keeps_the_most_linked_and_says_what_was_left_out(graph):
    full = view_data(graph)
    view = view_data(graph, max_nodes=4)
    assert len(view.nodes) == 4 and view.total == len(full.nodes) and view.omitted == len(full.nodes) - 4
    assert {n["label"] for n in view.nodes} >= {"FooProver", "Another Study of Provers"}
    kept = {n["id"] for n in view.nodes}
    assert all(e["from"] in kept and e["to"] in kept for e in view.edges)
    assert f"{view.omitted} were left out" in view.note and "kg view --focus" in view.note
    html = render_html(graph, max_nodes=4)
    assert "were left out" in html and "kg view --focus" in html
    assert view_data(graph).note == ""


def test_restrict_to_a_query_subgraph_keeps_its_nodes_and_links(graph):
    sub = Graph()
    p1 = paper_iri(Paper(title="x", abstract="", id="2401.00001"))
    from kg.vocab import KG

    sub.add((p1, KG.targetsHardware, entity_iri("Hardware", "nvidia-a100")))
    view = view_data(graph, restrict=sub)
    assert sorted(n["label"] for n in view.nodes) == ["FooProver", "NVIDIA A100"]
    assert [e["kind"] for e in view.edges] == ["targetsHardware"]
    with pytest.raises(GraphError, match="names no paper or entity"):
        view_data(graph, restrict=Graph())


def test_html_is_deterministic_whatever_the_triple_order(graph):
    lines = graph.serialize(format="nt").splitlines()
    shuffled = Graph().parse(data="\n".join(reversed(lines)), format="nt")
    assert render_html(graph) == render_html(shuffled)
    assert render_html(graph, focus="GPT-4") == render_html(small_graph(), focus="GPT-4")


def test_html_is_self_contained_with_no_remote_reference(graph):
    html = render_html(graph)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"@import", html)
    assert "vis.Network" in html and "vis-network" in html  # the library itself is inlined
    assert "sourceMappingURL" not in html
    assert "Content-Security-Policy" in html


def test_labels_titles_and_evidence_are_escaped():
    html = render_html(xss_graph())
    assert "<img" not in html and "<b onmouseover" not in html
    # the page's own two script blocks only: no graph text closed one or opened an HTML comment
    assert html.lower().count("</script") == 2 and "<!--" not in html
    assert "\\u003cimg src=x onerror=" in html  # the title travels as escaped JSON
    title = render_html(xss_graph(), title="<i>my</i> view")
    assert "<title>&lt;i&gt;my&lt;/i&gt; view</title>" in title


def test_write_html_returns_the_view_and_writes_atomically(graph, tmp_path):
    out = tmp_path / "sub" / "g.html"
    view = write_html(graph, out, focus="GPT-4")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert view.summary() == "2 papers, 1 entity, 2 links"
    assert [p.name for p in out.parent.iterdir()] == ["g.html"]


def test_sample_view_shows_the_whole_sample(sample_graph):
    view = view_data(sample_graph)
    assert view.omitted == 0 and 200 < len(view.nodes) <= 600
    assert {c["name"] for c in view.classes} >= {"Paper", "Method", "Model", "Benchmark", "Hardware", "Task"}


def test_view_module_does_not_import_spacy(tmp_path, graph):
    g = tmp_path / "g.ttl"
    write_graph(graph, g)
    code = ("import sys; from kg.cli import cli; from click.testing import CliRunner; "
            f"r = CliRunner().invoke(cli, ['view', '--graph', {str(g)!r}, '-o', {str(tmp_path / 'v.html')!r}]); "
            "assert r.exit_code == 0, r.output; print('spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -------------------------------------------------------------------------------------------- CLI


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)), catch_exceptions=False)


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("view") / "graph.ttl"
    write_graph(small_graph(), path)
    return path


def test_cli_view_writes_a_focus_view(graph_file, tmp_path):
    out = tmp_path / "focus.html"
    r = run("view", "--graph", graph_file, "--focus", "minif2f", "--depth", "1", "-o", out)
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"Wrote {out}: 2 papers, 1 entity, 2 links")
    assert "around MiniF2F (depth 1)" in out.read_text(encoding="utf-8")


def test_cli_view_reports_what_the_cap_left_out(graph_file, tmp_path):
    r = run("view", "--graph", graph_file, "--max-nodes", "3", "-o", tmp_path / "v.html")
    assert r.exit_code == 0 and "were left out" in r.output


def test_cli_view_errors_are_one_line(graph_file, tmp_path):
    r = run("view", "--graph", graph_file, "--focus", "MiniF", "-o", tmp_path / "v.html")
    assert r.exit_code == 1 and r.output.startswith("Error: no node is labelled 'MiniF'") and "MiniF2F" in r.output
    assert "Traceback" not in r.output and not (tmp_path / "v.html").exists()
    r = run("view", "--graph", tmp_path / "missing.ttl", "-o", tmp_path / "v.html")
    assert r.exit_code == 1 and r.output.startswith("Error:") and "missing.ttl" in r.output
    r = run("view", "--graph", graph_file, "--types", "Gadget", "-o", tmp_path / "v.html")
    assert r.exit_code == 1 and "unknown type 'Gadget'" in r.output
    r = run("view", "--graph", graph_file, "-p", "x=1", "-o", tmp_path / "v.html")
    assert r.exit_code == 2 and "needs --query" in r.output


def test_cli_view_reads_a_pyoxigraph_store(tmp_path, graph_file):
    import pyoxigraph as ox

    store_dir = tmp_path / "store"
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(graph_file), format=ox.RdfFormat.TURTLE)
    store.flush()
    del store
    out = tmp_path / "v.html"
    r = run("view", "--store", store_dir, "--focus", "GPT4", "-o", out)
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"Wrote {out}: 2 papers, 1 entity, 2 links")
    r = run("view", "--store", tmp_path / "nowhere", "-o", out)
    assert r.exit_code == 1 and "nowhere" in r.output


def test_cli_view_query_renders_a_construct_subgraph(graph_file, tmp_path):
    out = tmp_path / "hw.html"
    r = run("view", "--graph", graph_file, "--query", "hardware-graph", "-p", "hardware=nvidia a100", "-o", out)
    assert r.exit_code == 0, r.output
    assert "1 paper, 2 entities" in r.output and "query hardware-graph hardware=nvidia a100" in out.read_text(encoding="utf-8")
    r = run("view", "--graph", graph_file, "--query", "leaderboard", "-o", out)
    assert r.exit_code == 1 and "not a CONSTRUCT" in r.output


# ---------------------------------------------------------------------------------------- browser


class Page:
    """A page opened from file:// with everything it logs, requests and pops up recorded."""

    def __init__(self, browser, path: Path, width=1280, height=800):
        self.errors, self.requests, self.dialogs = [], [], []
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(Path(path).resolve().as_uri())
        self.page.wait_for_function("() => window.kgView && window.kgView.stable", timeout=20000)

    def js(self, expression, arg=None):
        return self.page.evaluate(expression, arg)

    def shown_ids(self):
        return set(self.js("() => Object.keys(kgView.network.getPositions())"))

    def node_xy(self, node_id):
        return self.js("""id => { const d = kgView.network.canvasToDOM(kgView.network.getPosition(id));
                                  const r = document.getElementById('mynetwork').getBoundingClientRect();
                                  return [d.x + r.left, d.y + r.top]; }""", node_id)

    def offline(self):
        return [u for u in self.requests if not u.startswith(("file:", "data:"))]


@pytest.fixture(scope="module")
def sample_page(browser, sample_graph, tmp_path_factory):
    path = tmp_path_factory.mktemp("sample_view") / "graph.html"
    view = write_html(sample_graph, path)
    page = Page(browser, path)
    yield page, view
    page.page.close()


def test_sample_page_loads_offline_settles_fast_and_shows_every_node(sample_page):
    page, view = sample_page
    assert page.errors == [] and page.offline() == [] and page.dialogs == []
    assert page.js("kgView.settleMs") < 5000, "the sample should settle in under 5 s"
    assert page.shown_ids() == {n["id"] for n in view.nodes}
    assert page.js("kgView.shownEdges.length") == len(view.edges)
    assert page.js("kgView.network.physics.physicsEnabled") is False  # stopped after stabilisation


def test_search_finds_by_alias_and_selects_the_node(sample_page):
    page, view = sample_page
    target = next(n for n in view.nodes if n["kgType"] == "Benchmark" and len(n["search"]) > 1)
    alias = next(s for s in target["search"] if s != target["info"]["name"])
    page.page.fill("#kg-search", alias.upper())
    page.page.press("#kg-search", "Enter")
    assert page.js("kgView.network.getSelectedNodes()") == [target["id"]]
    details = page.page.locator("#kg-details")
    assert details.is_visible() and target["info"]["name"] in details.inner_text()
    page.page.fill("#kg-search", "no such thing at all")
    page.page.press("#kg-search", "Enter")
    assert "No node matches" in page.page.inner_text("#kg-searchmsg")
    page.js("kgView.select([])")
    assert page.errors == []


def test_type_toggle_hides_and_shows_its_nodes(sample_page):
    page, view = sample_page
    hardware = {n["id"] for n in view.nodes if n["kgType"] == "Hardware"}
    assert hardware
    page.page.uncheck('#kg-legend input[data-type="Hardware"]')
    shown = page.shown_ids()
    assert not shown & hardware and len(shown) == len(view.nodes) - len(hardware)
    hw_edges = sum(1 for e in view.edges if e["to"] in hardware or e["from"] in hardware)
    assert page.js("kgView.shownEdges.length") == len(view.edges) - hw_edges
    page.page.check('#kg-legend input[data-type="Hardware"]')
    assert page.shown_ids() == {n["id"] for n in view.nodes}
    assert page.errors == []


def test_clicking_a_node_highlights_its_neighbourhood(browser, graph, tmp_path):
    path = tmp_path / "small.html"
    view = write_html(graph, path)
    page = Page(browser, path)
    try:
        gpt4 = str(entity_iri("Model", "gpt-4"))
        x, y = page.node_xy(gpt4)
        page.page.mouse.click(x, y)
        assert page.js("kgView.network.getSelectedNodes()") == [gpt4]
        colours = page.js("() => Object.fromEntries(kgView.nodes.get().map(n => [n.id, n.color]))")
        near = {gpt4} | {e["from"] for e in view.edges if e["to"] == gpt4}
        for n in view.nodes:
            assert (colours[n["id"]] == n["color"]) == (n["id"] in near), n["label"]
        page.page.mouse.move(x + 2, y + 2)
        page.page.mouse.move(x, y)
        page.page.wait_for_selector("div.vis-tooltip", state="visible")
        tip = page.page.inner_text("div.vis-tooltip")
        assert "GPT-4" in tip and "Named in 2 papers" in tip and "Also: GPT4, gpt-4-0613" in tip
        assert page.errors == [] and page.offline() == []
    finally:
        page.page.close()


def test_focus_view_opens_with_the_focus_selected(browser, graph, tmp_path):
    path = tmp_path / "focus.html"
    write_html(graph, path, focus="minif2f", depth=2)
    page = Page(browser, path)
    try:
        assert page.js("kgView.network.getSelectedNodes()") == [str(entity_iri("Dataset", "minif2f"))]
        assert "MiniF2F" in page.page.inner_text("#kg-details") and page.errors == []
    finally:
        page.page.close()


def test_malicious_title_stays_inert_text(browser, tmp_path):
    path = tmp_path / "xss.html"
    view = write_html(xss_graph(), path)
    page = Page(browser, path)
    try:
        paper = next(n for n in view.nodes if n["kgType"] == "Paper" and "Evil" in n["info"]["title"])
        evil = next(n for n in view.nodes if n["kgType"] == "Model" and "BadNet" in n["info"]["name"])
        assert page.shown_ids() == {n["id"] for n in view.nodes}  # the page still works
        for node in (paper, evil):
            x, y = page.node_xy(node["id"])
            assert page.js("([x, y]) => document.elementFromPoint(x, y).tagName", [x, y]) == "CANVAS"
            page.page.mouse.move(x + 1, y + 1)
            page.page.mouse.move(x, y)
            text = node["info"].get("title") or node["info"]["name"]
            page.page.wait_for_function("t => { const tip = document.querySelector('div.vis-tooltip');"
                                        " return tip && tip.textContent.includes(t); }", arg=text, timeout=5000)
        page.page.fill("#kg-search", "evil")
        page.page.press("#kg-search", "Enter")
        assert page.js("kgView.network.getSelectedNodes()") == [paper["id"]]
        assert XSS_TITLE in page.page.inner_text("#kg-details")  # shown as text, tags and all
        edges = page.js("() => kgView.edges.get().map(e => e.title.textContent).join(' ')")
        assert "</script><script>window.__xss=4</script>" in edges
        assert page.js("() => window.__xss === undefined") is True
        assert page.js("() => document.querySelectorAll('img, b[onmouseover], script[src]').length") == 0
        assert page.js("() => document.querySelectorAll('script').length") == 2
        assert page.dialogs == [] and page.errors == [] and page.offline() == []
    finally:
        page.page.close()


def test_screenshot_saves_a_png_of_the_settled_view(graph, tmp_path, browser):
    html, png = tmp_path / "v.html", tmp_path / "v.png"
    write_html(graph, html)
    settle_ms = screenshot(html, png, width=800, height=500, browser=browser)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and settle_ms > 0


def test_readme_shows_the_committed_screenshot():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "![sample graph view](output/graph.png)" in readme
    assert (REPO / "output" / "graph.png").read_bytes()[:4] == b"\x89PNG"
