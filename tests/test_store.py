"""Store builds: `kg build --store` / `--update` / `--jobs`, the pyoxigraph store API, and bounded batching.

Fixtures: the bundled sample corpus and synthetic papers from bench/generate.py (deterministic).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from click.testing import CliRunner
from rdflib import RDF, XSD, Graph, Literal
from rdflib.namespace import SKOS, VOID
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

import kg.build
from kg.build import build_graph_files
from kg.cli import cli
from kg.errors import GraphError, KGError
from kg.graph import read_graph
from kg.store import (STATE_FILE, BuildState, dump_ntriples, is_paperkg_store, memory_store, open_store,
                      store_subgraph, store_to_rdflib)
from kg.vocab import KG
from kg.void import DATASET, count_graph


def canonical(g: Graph) -> Graph:
    """`g` with xsd:decimal literals in canonical form: Oxigraph stores "7000000000.0" as "7000000000"."""
    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            o = Literal(format(Decimal(str(o)).normalize(), "f"), datatype=XSD.decimal)
        out.add((s, p, o))
    return out


def assert_isomorphic(a: Graph, b: Graph):
    a, b = canonical(a), canonical(b)
    if not isomorphic(a, b):
        _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
        lines = [f"- {t}" for t in sorted(only_a)[:10]] + [f"+ {t}" for t in sorted(only_b)[:10]]
        pytest.fail("graphs differ:\n" + "\n".join(lines))


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    """The bundled sample built through a store: (output dir, store dir)."""
    root = tmp_path_factory.mktemp("sample-store")
    build_graph_files(None, root / "out", html=False, store=root / "store")
    return root / "out", root / "store"


# ------------------------------------------------------------------------------------------ same graph both ways

def test_store_build_of_sample_is_the_in_memory_graph(sample_store, sample_graph):
    out, store = sample_store
    assert is_paperkg_store(store)
    assert_isomorphic(read_graph(out / "graph.ttl"), sample_graph)
    assert_isomorphic(store_to_rdflib(open_store(store, read_only=True)), sample_graph)


def test_store_turtle_is_deterministic_and_parallel_extraction_changes_no_byte(tmp_path, sample_store):
    out, _ = sample_store
    build_graph_files(None, tmp_path / "out", html=False, store=tmp_path / "store", jobs=2)
    assert (tmp_path / "out" / "graph.ttl").read_bytes() == (out / "graph.ttl").read_bytes()


def test_big_store_build_streams_the_same_bytes_with_two_jobs(tmp_path, monkeypatch, sample_corpus_30):
    monkeypatch.setattr(kg.build, "POSTPROCESS_LIMIT", 10)
    one = build_graph_files([sample_corpus_30], tmp_path / "one", html=False, store=tmp_path / "s1", batch_size=4)
    two = build_graph_files([sample_corpus_30], tmp_path / "two", html=False, store=tmp_path / "s2", batch_size=4,
                            jobs=2)
    assert one.triples == two.triples == len(read_graph(tmp_path / "one" / "graph.ttl"))
    assert (tmp_path / "one" / "graph.ttl").read_bytes() == (tmp_path / "two" / "graph.ttl").read_bytes()
    assert_isomorphic(read_graph(tmp_path / "one" / "graph.ttl"),
                      store_to_rdflib(open_store(tmp_path / "s1", read_only=True)))


def test_in_memory_build_with_two_jobs_is_byte_identical(tmp_path, sample_graph_path):
    build_graph_files(None, tmp_path, html=False, jobs=2)
    assert (tmp_path / "graph.ttl").read_bytes() == sample_graph_path.read_bytes()


# ------------------------------------------------------------------------------------------ incremental

@pytest.fixture(scope="module")
def split_corpus(synthetic_corpus):
    """60 synthetic papers as two files: the first 40 and the last 20."""
    return synthetic_corpus(40), synthetic_corpus(20, start=40)


@pytest.mark.parametrize("postprocess_limit", [10_000, 10], ids=["small-store", "big-store"])
def test_update_gives_the_graph_of_one_build_and_readding_changes_nothing(tmp_path, monkeypatch, split_corpus,
                                                                            postprocess_limit):
    # "big-store" takes the path of stores too big for research areas (graph.ttl written as the papers
    # stream through, VoID counted on the way); an update dumps graph.ttl from the store instead.
    monkeypatch.setattr(kg.build, "POSTPROCESS_LIMIT", postprocess_limit)
    a, b = split_corpus
    whole = build_graph_files([a, b], tmp_path / "whole", html=False, store=tmp_path / "whole-store")
    first = build_graph_files([a], tmp_path / "inc", html=False, store=tmp_path / "inc-store")
    assert first.added == 40
    second = build_graph_files([b], tmp_path / "inc", html=False, store=tmp_path / "inc-store", update=True)
    assert (second.added, second.already, second.papers) == (20, 0, whole.papers)
    assert_isomorphic(read_graph(tmp_path / "inc" / "graph.ttl"), read_graph(tmp_path / "whole" / "graph.ttl"))
    assert_isomorphic(store_to_rdflib(open_store(tmp_path / "inc-store", read_only=True)),
                      store_to_rdflib(open_store(tmp_path / "whole-store", read_only=True)))
    ttl = (tmp_path / "inc" / "graph.ttl").read_bytes()

    again = build_graph_files([a, b], tmp_path / "inc", html=False, store=tmp_path / "inc-store", update=True)
    assert (again.added, again.already) == (0, 60)
    assert (tmp_path / "inc" / "graph.ttl").read_bytes() == ttl

    g = read_graph(tmp_path / "inc" / "graph.ttl")
    assert int(g.value(DATASET, VOID.triples)) == count_graph(g)["triples"]
    assert (KG.Topic in set(g.objects(None, None))) == (postprocess_limit > 60)


def test_update_counts_spellings_across_runs(tmp_path, monkeypatch):
    """The label is the most frequent spelling over all papers, also when they came in different runs."""
    import json

    monkeypatch.setattr(kg.build, "POSTPROCESS_LIMIT", 0)

    def corpus(name, spellings, start):
        recs = [{"id": f"2401.{start + i:05d}", "title": f"Paper {start + i} on retrieval",
                 "abstract": f"We fine-tune {s} on GSM8K. It reaches 80.1% accuracy on GSM8K."}
                for i, s in enumerate(spellings)]
        path = tmp_path / name
        path.write_text("\n".join(json.dumps(r) for r in recs) + "\n")
        return path

    a = corpus("a.jsonl", ["LLaMA-2", "LLaMA-2"], 0)
    b = corpus("b.jsonl", ["Llama-2", "Llama-2", "Llama-2"], 10)
    from rdflib import RDFS

    from kg.graph import entity_iri

    llama2 = entity_iri("Model", "llama-2")
    build_graph_files([a], tmp_path / "o", html=False, store=tmp_path / "s")
    assert str(read_graph(tmp_path / "o" / "graph.ttl").value(llama2, RDFS.label)) == "LLaMA-2"
    build_graph_files([b], tmp_path / "o", html=False, store=tmp_path / "s", update=True)
    g = read_graph(tmp_path / "o" / "graph.ttl")
    assert str(g.value(llama2, RDFS.label)) == "Llama-2"  # 3 against 2, over both runs
    assert "LLaMA-2" in {str(x) for x in g.objects(llama2, SKOS.altLabel)}
    build_graph_files([a, b], tmp_path / "w", html=False, store=tmp_path / "sw")
    assert_isomorphic(g, read_graph(tmp_path / "w" / "graph.ttl"))


# ------------------------------------------------------------------------------------------ big inputs

def test_big_input_without_store_goes_through_a_temporary_store(tmp_path, monkeypatch, sample_corpus_30):
    monkeypatch.setattr(kg.build, "SMALL_INPUT", 10)
    monkeypatch.setattr(kg.build, "POSTPROCESS_LIMIT", 10)
    summary = build_graph_files([sample_corpus_30], tmp_path, html=True, batch_size=7)
    assert summary.papers == 30 and summary.store is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.html", "graph.ttl"]  # no store left behind
    g = read_graph(tmp_path / "graph.ttl")
    assert len(set(g.subjects(RDF.type, KG.Paper))) == 30
    assert summary.triples == len(g)


def test_engine_reads_its_input_lazily():
    """At most a few batches are in flight: papers are never all read before the first batch is written."""
    from kg.ingest import Paper
    from kg.parallel import InProcessEngine, ProcessEngine, batched

    pulled = []

    def papers(n):
        for i in range(n):
            pulled.append(i)
            yield Paper(title=f"Paper {i}", abstract="We use GPT-4 on GSM8K.")

    with InProcessEngine() as eng:
        first = next(eng.map(batched(papers(1000), 10)))
    assert len(first) == 10 and len(pulled) <= 20
    pulled.clear()
    with ProcessEngine(2) as eng:
        it = eng.map(batched(papers(1000), 10))
        next(it)
        assert len(pulled) <= 10 * (2 * 2 + 2)
        it.close()


# ------------------------------------------------------------------------------------------ the store API

def test_store_api_round_trip(tmp_path, sample_graph):
    st = open_store(tmp_path / "s", create=True)
    from kg.store import add_triples

    add_triples(st, sample_graph)
    assert_isomorphic(store_to_rdflib(st), sample_graph)
    nt = dump_ntriples(st)
    assert nt.count(b"\n") == len(sample_graph)
    sub = store_subgraph(st, max_papers=5)
    assert len(set(sub.subjects(RDF.type, KG.Paper))) == 5


def test_store_errors(tmp_path):
    with pytest.raises(GraphError, match="no such store directory"):
        open_store(tmp_path / "missing")
    (tmp_path / "plain").mkdir()
    with pytest.raises(GraphError, match="not an RDF store"):
        open_store(tmp_path / "plain")


def test_build_state_keys_and_entities(tmp_path):
    with BuildState(tmp_path / STATE_FILE) as st:
        st.add_keys(["arxiv:2401.00001"])
        st.put_entity_states({("Model", "gpt-4"): {"forms": {"GPT-4": 2}, "aliases": [], "benchmark": False,
                                                   "family": ["GPT"], "params": None}})
    with BuildState(tmp_path / STATE_FILE) as st:
        assert st.has_any_key(["x", "arxiv:2401.00001"]) and not st.has_any_key(["y"])
        assert st.entity_states([("Model", "gpt-4"), ("Model", "none")]) == {
            ("Model", "gpt-4"): {"forms": {"GPT-4": 2}, "aliases": [], "benchmark": False, "family": ["GPT"],
                                 "params": None}}


def test_memory_store_is_empty():
    assert len(memory_store()) == 0


# ------------------------------------------------------------------------------------------ options and CLI

def test_option_errors(tmp_path, sample_corpus_30):
    with pytest.raises(KGError, match="--update needs --store"):
        build_graph_files([sample_corpus_30], tmp_path, update=True)
    with pytest.raises(KGError, match="--jobs must be at least 1"):
        build_graph_files([sample_corpus_30], tmp_path, jobs=0)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(GraphError, match="not a paperkg store"):
        build_graph_files([sample_corpus_30], tmp_path / "o", store=tmp_path / "busy")
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"


def test_cli_build_store_update_and_validate(tmp_path, split_corpus):
    a, b = split_corpus
    store, out = tmp_path / "store", tmp_path / "out"
    runner = CliRunner()
    r = runner.invoke(cli, ["build", str(a), "--store", str(store), "-o", str(out), "--no-html", "--jobs", "1"])
    assert r.exit_code == 0, r.output
    assert "Store" in r.output and "added 40 paper(s)" in r.output
    r = runner.invoke(cli, ["build", str(a), str(b), "--store", str(store), "--update", "-o", str(out), "--no-html"])
    assert r.exit_code == 0, r.output
    assert "added 20 paper(s); 40 already there" in r.output
    r = runner.invoke(cli, ["validate", "--store", str(store)])
    assert r.exit_code == 0, r.output
    assert "conforms" in r.output
    r = runner.invoke(cli, ["query", "leaderboard", "--store", str(store), "-p", "benchmark=GSM8K", "--format", "csv"])
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("args, message", [
    (["--update"], "Error: --update needs --store DIR"),
    (["--jobs", "0"], "Error: --jobs must be at least 1"),
    (["--store", "{busy}"], "is not a paperkg store"),
])
def test_cli_build_option_errors_are_one_line(tmp_path, sample_corpus_30, args, message):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("x")
    args = [a.format(busy=tmp_path / "busy") for a in args]
    r = CliRunner().invoke(cli, ["build", str(sample_corpus_30), "-o", str(tmp_path / "o"), *args])
    assert r.exit_code == 1
    assert message in r.output and "Traceback" not in r.output


def test_cli_validate_store_errors(tmp_path):
    r = CliRunner().invoke(cli, ["validate", "--store", str(tmp_path / "nope")])
    assert r.exit_code == 1 and "Error:" in r.output and "no such store directory" in r.output
