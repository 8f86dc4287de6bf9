"""Graph analytics on small hand-made graphs with known answers, and the `kg analyze` / `kg path` commands.

Fixtures are built through `kg.graph.build_graph` from hand-written Paper and Link records (no spaCy), so
they have the real shape: reified links with evidence and confidence, stable IRIs.
"""

from __future__ import annotations

import json
import subprocess
import sys

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, URIRef

from kg.analyze import (add_topics, analysis_json, analyze, find_path, find_topics, format_analysis, format_path,
                        load_graph, paper_projection, rank_entities, read_topics, resolve_node, to_networkx)
from kg.cli import cli
from kg.errors import GraphError
from kg.extract import Entity, Link, PaperExtraction
from kg.graph import build_graph, entity_iri, write_graph
from kg.ingest import Paper
from kg.vocab import KG


def make_graph(spec: dict, dates: dict | None = None):
    """`spec` maps a paper title to its links: (kind, type, name[, confidence[, evidence]])."""
    pairs = []
    for title, links in spec.items():
        extraction = PaperExtraction()
        for kind, etype, name, *rest in links:
            conf = rest[0] if rest else 0.9
            evidence = rest[1] if len(rest) > 1 else f"{title} {kind} {name}."
            key = name.lower().replace(" ", "-")
            extraction.links.append(Link(kind, Entity(etype, key, name, benchmark=etype == "Dataset"), evidence,
                                         conf, "test"))
        pairs.append((Paper(title=title, abstract=f"About {title}.", date=(dates or {}).get(title)), extraction))
    return build_graph(pairs)


def iri(etype, name):
    return str(entity_iri(etype, name.lower().replace(" ", "-")))


@pytest.fixture
def star():
    """Five papers all use the Hub method; each also uses a leaf method of its own."""
    return make_graph({f"Paper {i}": [("usesMethod", "Method", "Hub"), ("usesMethod", "Method", f"Leaf {i}")]
                       for i in range(5)})


@pytest.fixture
def two_cliques():
    """Papers A0-A3 share three entities, B0-B3 share three others; A3 and B0 alone share a bridge entity."""
    spec = {}
    for group, ents in (("A", ["MiniF2F", "Lean", "DeepSeek-Prover"]), ("B", ["GSM8K", "MATH", "GPT-4"])):
        for i in range(4):
            spec[f"{group}{i} paper"] = [("evaluatedOn", "Dataset", ents[0]), ("usesMethod", "Method", ents[1]),
                                         ("usesModel", "Model", ents[2])]
    spec["A3 paper"].append(("targetsHardware", "Hardware", "GPU"))
    spec["B0 paper"].append(("targetsHardware", "Hardware", "GPU"))
    return make_graph(spec)


@pytest.fixture
def chain():
    """P1 -usesModel-> M <-usesModel- P2 -evaluatedOn-> D; P3 -> Lonely is a separate component."""
    return make_graph({
        "P1 paper": [("usesModel", "Model", "Modelo", 0.85, "P1 fine-tunes Modelo.")],
        "P2 paper": [("usesModel", "Model", "Modelo", 0.7, "P2 compares with Modelo."),
                     ("evaluatedOn", "Dataset", "DataSet X", 0.9, "P2 reports results on DataSet X.")],
        "P3 paper": [("usesMethod", "Method", "Lonely", 0.9, "P3 uses Lonely.")],
    })


# ------------------------------------------------------------------------------------------ conversion

def test_to_networkx_nodes_edges_and_link_attributes(chain):
    G = to_networkx(chain)
    assert isinstance(G, nx.Graph)
    papers = sorted(G.nodes[n]["label"] for n in G if G.nodes[n]["type"] == "Paper")
    assert papers == ["P1 paper", "P2 paper", "P3 paper"]
    m, d = iri("Model", "Modelo"), iri("Dataset", "DataSet X")
    assert G.nodes[m] == {"type": "Model", "label": "Modelo", "aliases": ()}
    assert G.nodes[d]["type"] == "Benchmark"
    p2 = next(n for n in G if G.nodes[n]["label"] == "P2 paper")
    edge = G[p2][m]
    assert edge["kind"] == "usesModel"
    assert edge["links"] == [{"kind": "usesModel", "subject": p2, "evidence": "P2 compares with Modelo.",
                              "confidence": 0.7}]
    assert G.number_of_edges() == 4


def test_two_link_kinds_between_one_pair_keep_both_most_confident_first():
    g = make_graph({"P": [("proposes", "Model", "Foo", 0.95), ("usesModel", "Model", "Foo", 0.8)]})
    G = to_networkx(g)
    (u, v, links), = G.edges(data="links")
    assert [x["kind"] for x in links] == ["proposes", "usesModel"]
    assert G[u][v]["kind"] == "proposes"


def test_variant_of_edges_join_models_to_their_family():
    p = Paper(title="P", abstract="A.")
    e = Entity("Model", "llama-3.1-8b", "Llama-3.1-8B", family=("Llama-3.1", "Llama"))
    G = to_networkx(build_graph([(p, PaperExtraction(links=[Link("usesModel", e, "A.", 0.9, "t")]))]))
    assert G[iri("Model", "Llama-3.1-8B")][iri("Model", "Llama-3.1")]["kind"] == "variantOf"
    assert G[iri("Model", "Llama-3.1")][iri("Model", "Llama")]["links"][0]["subject"] == iri("Model", "Llama-3.1")


# ------------------------------------------------------------------------------------------ centrality

def test_star_centre_ranks_first_and_ties_are_ordered_by_label(star):
    ranked = rank_entities(to_networkx(star), top=None)["Method"]
    assert ranked[0].label == "Hub" and ranked[0].papers == 5
    assert [r.label for r in ranked[1:]] == [f"Leaf {i}" for i in range(5)]  # equal scores: by label
    assert ranked[0].pagerank > 2 * ranked[1].pagerank


def test_degree_breaks_pagerank_ties(monkeypatch):
    g = make_graph({"P1": [("usesModel", "Model", "Alpha")], "P2": [("usesModel", "Model", "Zeta")],
                    "P3": [("usesModel", "Model", "Zeta")]})
    G = to_networkx(g)
    monkeypatch.setattr(nx, "pagerank", lambda H, **kw: {n: 0.1 + 1e-12 * i for i, n in enumerate(H)})
    ranked = rank_entities(G)["Model"]
    assert [(r.label, r.papers) for r in ranked] == [("Zeta", 2), ("Alpha", 1)]  # equal scores: more papers first


def test_rank_entities_on_an_empty_graph():
    from rdflib import Graph

    assert all(v == [] for v in rank_entities(to_networkx(Graph())).values())


# ----------------------------------------------------------------------------------------- communities

def test_two_cliques_joined_by_one_edge_give_two_named_communities(two_cliques):
    G = to_networkx(two_cliques)
    P = paper_projection(G)
    assert P.number_of_nodes() == 8 and P.number_of_edges() == 6 + 6 + 1
    topics = find_topics(G)
    assert len(topics) == 2
    members = sorted(sorted(G.nodes[p]["label"] for p in t.papers) for t in topics)
    assert members == [[f"A{i} paper" for i in range(4)], [f"B{i} paper" for i in range(4)]]
    names = {t.label for t in topics}
    assert names == {"DeepSeek-Prover · Lean · MiniF2F", "GPT-4 · GSM8K · MATH"}
    assert all("GPU" not in t.label for t in topics)  # shared by both: not characteristic of either
    a = next(t for t in topics if "Lean" in t.label)
    assert a.iri == "https://w3id.org/paperkg/id/topic/deepseek-prover--lean--minif2f"


def test_topics_are_deterministic(two_cliques):
    assert find_topics(to_networkx(two_cliques)) == find_topics(to_networkx(two_cliques))


def test_lone_papers_form_no_topic(chain):
    topics = find_topics(to_networkx(chain))
    assert [sorted(to_networkx(chain).nodes[p]["label"] for p in t.papers) for t in topics] == [["P1 paper", "P2 paper"]]


def test_add_topics_writes_topic_nodes_that_conform_and_read_back(two_cliques):
    from kg.validate import validate_graph

    topics = add_topics(two_cliques)
    g = two_cliques
    assert len(set(g.subjects(RDF.type, KG.Topic))) == 2
    assert len(set(g.subject_objects(KG.inTopic))) == 8
    t = URIRef(topics[0].iri)
    assert str(g.value(t, RDFS.label)) == topics[0].label
    assert len(set(g.objects(t, KG.keyEntity))) == 3
    n = len(g)
    add_topics(g)  # replaces, never duplicates
    assert len(g) == n
    assert read_topics(g) == sorted(topics, key=lambda x: (-len(x.papers), x.papers[:1], x.iri))
    report = validate_graph(g)
    assert report.conforms, report.violations


# ----------------------------------------------------------------------------------------------- paths

def test_path_is_the_expected_path_with_evidence(chain):
    G = to_networkx(chain)
    hops = find_path(G, "P1 paper", "DataSet X")
    assert [(h.source_label, h.kind, h.forward, h.target_label) for h in hops] == [
        ("P1 paper", "usesModel", True, "Modelo"),
        ("Modelo", "usesModel", False, "P2 paper"),
        ("P2 paper", "evaluatedOn", True, "DataSet X"),
    ]
    assert format_path(hops).splitlines() == [
        'P1 paper --usesModel--> Modelo   "P1 fine-tunes Modelo." (0.85)',
        'Modelo <--usesModel-- P2 paper   "P2 compares with Modelo." (0.70)',
        'P2 paper --evaluatedOn--> DataSet X   "P2 reports results on DataSet X." (0.90)',
    ]


def test_path_prefers_confident_links_among_equally_short_ones():
    g = make_graph({"Start": [("usesModel", "Model", "Weak", 0.5), ("usesModel", "Model", "Strong", 0.95)],
                    "End": [("usesModel", "Model", "Weak", 0.5), ("usesModel", "Model", "Strong", 0.95)]})
    hops = find_path(to_networkx(g), "Start", "End")
    assert [h.target_label for h in hops] == ["Strong", "End"]


def test_names_match_any_case_aliases_and_loose_spelling(chain):
    G = to_networkx(chain)
    m = iri("Model", "Modelo")
    assert resolve_node(G, "MODELO") == [m]
    assert resolve_node(G, "data set x") == [iri("Dataset", "DataSet X")]
    assert resolve_node(G, m) == [m]


def test_unknown_name_lists_close_matches(chain):
    with pytest.raises(GraphError, match=r"no paper or entity named 'Modelx'.*close matches: Modelo"):
        find_path(to_networkx(chain), "Modelx", "P1 paper")


def test_no_connection_gives_none_and_same_node_is_an_error(chain):
    G = to_networkx(chain)
    assert find_path(G, "P1 paper", "Lonely") is None
    with pytest.raises(GraphError, match="same node"):
        find_path(G, "Modelo", "modelo")


def test_variant_hops_say_model_family():
    p1, p2 = Paper(title="P1", abstract="A."), Paper(title="P2", abstract="A.")
    child = Entity("Model", "llama-3-8b", "Llama-3-8B", family=("Llama-3",))
    other = Entity("Model", "llama-3-70b", "Llama-3-70B", family=("Llama-3",))
    g = build_graph([(p1, PaperExtraction(links=[Link("usesModel", child, "P1 uses it.", 0.9, "t")])),
                     (p2, PaperExtraction(links=[Link("usesModel", other, "P2 uses it.", 0.9, "t")]))])
    out = format_path(find_path(to_networkx(g), "P1", "P2"))
    assert "Llama-3-8B --variantOf--> Llama-3   (model family)" in out
    assert "Llama-3 <--variantOf-- Llama-3-70B   (model family)" in out


# -------------------------------------------------------------------------------------- analysis, load

def test_analyze_table_and_json(two_cliques):
    a = analyze(two_cliques, top=3)
    assert (a.papers, a.links) == (8, 26)
    assert a.central["Hardware"][0].label == "GPU"
    text = format_analysis(a)
    assert "8 papers" in text and "Research areas (Louvain, seed 42): 2 areas covering 8 of 8 papers" in text
    data = json.loads(analysis_json(a))
    assert {m["label"] for m in data["central"]["Method"]} == {"Lean", "MATH"}
    assert len(data["topics"]) == 2 and len(data["topics"][0]["papers"]) == 4


def test_stored_topics_are_used_when_present(two_cliques):
    add_topics(two_cliques, [])  # a graph whose build found no topics keeps none...
    assert analyze(two_cliques).topics  # ...so analysis computes them
    topics = add_topics(two_cliques)
    assert analyze(two_cliques).topics == read_topics(two_cliques) and len(topics) == 2


def test_load_graph_from_file_build_dir_and_oxigraph_store(tmp_path, chain):
    import pyoxigraph as ox

    write_graph(chain, tmp_path / "out" / "graph.ttl")
    assert len(load_graph(tmp_path / "out" / "graph.ttl")) == len(chain)
    assert len(load_graph(store=tmp_path / "out")) == len(chain)
    st = ox.Store(str(tmp_path / "store"))
    st.load(path=str(tmp_path / "out" / "graph.ttl"), format=ox.RdfFormat.TURTLE)
    st.flush()
    del st
    assert len(load_graph(store=tmp_path / "store")) == len(chain)
    with pytest.raises(GraphError, match="no such store directory"):
        load_graph(store=tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "junk.txt").write_text("x")
    with pytest.raises(GraphError, match="neither a `kg build` output directory nor an RDF store"):
        load_graph(store=tmp_path / "empty")


# ---------------------------------------------------------------------------------------------- CLI

def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)), catch_exceptions=False)


def one_line_error(result, *fragments):
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    for f in fragments:
        assert f in lines[0], lines[0]


@pytest.fixture
def graph_file(tmp_path, two_cliques, chain):
    write_graph(two_cliques + chain, tmp_path / "graph.ttl")
    return tmp_path / "graph.ttl"


def test_cli_analyze(graph_file):
    r = run("analyze", "--graph", graph_file)
    assert r.exit_code == 0, r.output
    assert "Most central entities" in r.output and "GPT-4 · GSM8K · MATH" in r.output
    r = run("analyze", "--store", graph_file.parent, "--format", "json", "--top", "1")
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert all(len(v) == 1 for v in data["central"].values()) and data["papers"] == 11


def test_cli_analyze_errors(tmp_path, graph_file):
    one_line_error(run("analyze", "--graph", tmp_path / "none.ttl"), "none.ttl", "no such graph file")
    one_line_error(run("analyze", "--store", tmp_path / "nowhere"), "no such store directory")
    r = run("analyze", "--graph", graph_file, "--store", tmp_path)
    assert r.exit_code == 2 and "not both" in r.output


def test_cli_path(graph_file):
    r = run("path", "p1 PAPER", "dataset x", "--graph", graph_file)
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == 'P1 paper --usesModel--> Modelo   "P1 fine-tunes Modelo." (0.85)'
    assert len(r.output.splitlines()) == 3


def test_cli_path_errors(graph_file):
    one_line_error(run("path", "LeanDojo", "Modelo", "--graph", graph_file), "no paper or entity named 'LeanDojo'")
    one_line_error(run("path", "Lena", "Modelo", "--graph", graph_file), "close matches: Lean")
    r = run("path", "P1 paper", "Lonely", "--graph", graph_file)
    assert r.exit_code == 1 and r.output.startswith("No connection between 'P1 paper' and 'Lonely'")


def test_analytics_commands_do_not_import_spacy(graph_file, tmp_path):
    code = ("import sys\nfrom click.testing import CliRunner\nfrom kg.cli import cli\n"
            f"g = {str(graph_file)!r}\n"
            "for args in (['analyze', '-g', g], ['path', 'P1 paper', 'Modelo', '-g', g],\n"
            f"             ['report', '-g', g, '-o', {str(tmp_path / 'r.html')!r}]):\n"
            "    r = CliRunner().invoke(cli, args)\n    assert r.exit_code == 0, r.output\n"
            "print('spacy' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"
