"""Tests for kg.query, kg.serve and the `kg query` / `kg serve` commands.

Fixture: tests/fixtures/query_fixture.ttl, a hand-written four-paper graph (its header says what it models).
Expected rows: tests/fixtures/query_expected/NAME.csv (SELECT) and NAME.nt (CONSTRUCT, sorted N-Triples),
checked by hand against the fixture. Each query runs on three engines (rdflib with initBindings, a pyoxigraph
store and a real SPARQL endpoint served on loopback by kg.serve) and must give the same rows on each.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.cli import cli
from kg.errors import GraphError, QueryError
from kg.graph import read_graph
from kg.query import (CannedQuery, construct_graph, format_result, format_table, list_queries, load_query,
                      open_store, parse_params, parse_query, run_query, sparql_literal, values_text)
from kg.serve import endpoint_url, make_server

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE = FIXTURES / "query_fixture.ttl"
EXPECTED = FIXTURES / "query_expected"
NAMES = sorted(p.stem for p in (Path(__file__).parent.parent / "kg" / "queries").glob("*.rq"))

# Values that would break out of a string literal, or change a query, if they were pasted into its text.
PAYLOADS = [
    '"} ; DROP ALL ; {"',
    "MiniF2F\" || true || \"",
    "MiniF2F\") } UNION { ?ds ?p ?o } #",
    "x\" ) } } ; INSERT DATA { <urn:a> <urn:b> <urn:c> } #",
    "back\\slash\\",
    "\\u0022) } ; DROP ALL ; #",
    "two\nlines\r\n\"quoted\"",
    "}}}{{{ '' \t",
    "' OR 1=1 --",
    'x")) || true || LCASE(STR("',
]


# ----------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def queries():
    """Each canned query loaded once, so rdflib parses it once for the module (CannedQuery.prepared)."""
    return {q.name: q for q in list_queries()}


@pytest.fixture(scope="module")
def fixture_graph():
    return read_graph(FIXTURE)


@pytest.fixture(scope="module")
def fixture_store():
    return open_store(FIXTURE)


@pytest.fixture(scope="module")
def endpoint():
    """A real SPARQL 1.1 protocol server (kg.serve over pyoxigraph) on a free loopback port."""
    store = open_store(FIXTURE)
    server = make_server(store, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield endpoint_url(server), store
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def sample_store(sample_graph_path):
    return open_store(sample_graph_path)


def _iso_diff(a: Graph, b: Graph) -> str:
    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    return ("only in first:\n" + only_a.serialize(format="nt") + "only in second:\n" + only_b.serialize(format="nt"))


# ----------------------------------------------------------------------------------------- the query files


def test_query_files_parse_with_documented_headers():
    queries = list_queries()
    assert [q.name for q in queries] == NAMES
    assert len(queries) >= 13
    by_name = {q.name: q for q in queries}
    assert [p.name for p in by_name["leaderboard"].params] == ["benchmark"]
    assert [p.name for p in by_name["family"].params] == ["family"]
    assert "hardware" in by_name
    assert sum(q.form == "CONSTRUCT" for q in queries) >= 2
    for q in queries:
        assert q.title and q.description, q.name
        assert all(p.help for p in q.params), q.name
        assert not any(line.startswith("#") for line in q.text.splitlines()[:1]), "header must not leak into text"


@pytest.mark.parametrize("name", NAMES)
def test_query_files_run_as_they_are(name, fixture_store, queries):
    """Each file is standard SPARQL that runs unchanged (parameters unbound) and with its VALUES clause.

    rdflib parses each file in test_query_gives_expected_rows_on_every_engine.
    """
    q = queries[name]
    fixture_store.query(q.path.read_text(encoding="utf-8"))
    fixture_store.query(values_text(q))


@pytest.mark.parametrize("header, message", [
    ("# description: d\nSELECT * WHERE { ?s ?p ?o }", "lacks '# title"),
    ("# title: t\n# description: d\n# author: me\nSELECT * WHERE { ?s ?p ?o }", "unknown header field 'author'"),
    ("# title: t\n# description: d\n# param: x: float = 1\nSELECT * WHERE {\n# @parameters\n?s ?p ?xParam }",
     "unknown type 'float'"),
    ("# title: t\n# description: d\n# param: x: decimal = abc\nSELECT * WHERE {\n# @parameters\n?s ?p ?xParam }",
     "not a decimal"),
    ("# title: t\n# description: d\nSELECT * WHERE { ?s ?p ?yParam }", "declares no such param"),
    ("# title: t\n# description: d\n# param: x = 1\nSELECT * WHERE {\n# @parameters\n?s ?p ?o }", "is declared but neither"),
    ("# title: t\n# description: d\n# param: x: integer = 1\nSELECT * WHERE {\n# @parameters\n?s ?p ?xKey }",
     "?xKey but declares no such string param"),
    ("# title: t\n# description: d\n# limit: 0\nSELECT * WHERE { ?s ?p ?o }\n# @limit", "positive whole number"),
    ("# title: t\n# description: d\n# limit: 10\nSELECT * WHERE { ?s ?p ?o }", "come together"),
    ("# title: t\n# description: d\nSELECT * WHERE { ?s ?p ?o }\n# @limit", "come together"),
    ("# title: t\n# description: d\n# param: x = 1\nSELECT * WHERE { ?s ?p ?xParam }", "# @parameters"),
    ("# title: t\n# description: d\nINSERT DATA { <a:b> <a:c> <a:d> }", "no SELECT or CONSTRUCT"),
    ("# title: t\n# description: d\nASK { ?s ?p ?o }", "ASK queries are not supported"),
])
def test_bad_query_files_are_rejected_naming_the_file(header, message):
    with pytest.raises(QueryError, match="bad.rq") as e:
        parse_query(header, "bad", "queries/bad.rq")
    assert message in str(e.value)


def test_unknown_query_and_parameter_errors_list_what_exists(fixture_graph):
    with pytest.raises(QueryError) as e:
        load_query("leaderbord")
    assert "unknown query 'leaderbord' (did you mean 'leaderboard'?)" in str(e.value)
    assert "available: benchmark-graph, compare," in str(e.value)
    with pytest.raises(QueryError, match="has no parameter 'bench'.*did you mean 'benchmark'.*its parameters: benchmark"):
        run_query("leaderboard", {"bench": "MiniF2F"}, graph=fixture_graph)
    bare = parse_query("# title: t\n# description: d\nSELECT * WHERE { ?s ?p ?o }", "bare")
    with pytest.raises(QueryError, match="query 'bare' has no parameter 'x'; it takes no parameters"):
        bare.bind({"x": "1"})


# ----------------------------------------------------------------------------------------- expected rows


def _expected_csv(name: str) -> str:
    return (EXPECTED / f"{name}.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_query_gives_expected_rows_on_every_engine(name, fixture_graph, fixture_store, endpoint, queries):
    url, q = endpoint[0], queries[name]
    results = {"rdflib": run_query(q, graph=fixture_graph), "oxigraph": run_query(q, store=fixture_store),
               "endpoint": run_query(q, endpoint=url)}
    if results["rdflib"].graph is not None:
        expected = Graph().parse(EXPECTED / f"{name}.nt", format="nt")
        for engine, res in results.items():
            assert isomorphic(res.graph, expected), f"{engine}:\n{_iso_diff(res.graph, expected)}"
        return
    for engine, res in results.items():
        assert format_result(res, "csv") + "\n" == _expected_csv(name), engine
        assert res.records() == results["rdflib"].records(), engine


def test_leaderboard_best_first_with_aliases_in_any_case(fixture_store):
    rows = [(r["system"], r["value"], r["kind"]) for r in run_query("leaderboard", {"benchmark": "minif2f"},
                                                                      store=fixture_store).records()]
    assert rows == [("BFS-Prover-V2", Decimal("95.08"), "absolute"), ("TheoremLlama", Decimal("36.48"), "absolute"),
                    ("GPT-4", Decimal("22.95"), "absolute"), ("Delta Prover", Decimal("5.2"), "improvement")]
    alias = run_query("leaderboard", {"benchmark": "MINIF2F-TEST"}, store=fixture_store).records()
    assert [(r["system"], r["value"]) for r in alias] == [(s, v) for s, v, _ in rows]
    # perplexity: lower is better, so 7.59 leads
    wiki = run_query("leaderboard", {"benchmark": "wikitext2"}, store=fixture_store).records()
    assert [(r["system"], r["value"], r["metric"]) for r in wiki] == [
        ("QuantX", Decimal("7.59"), "perplexity"), ("AffineQuant", Decimal("9.76"), "perplexity")]
    assert run_query("leaderboard", {"benchmark": "MiniF2"}, store=fixture_store).rows == []


def test_family_includes_variants_down_the_chain(fixture_graph):
    llama = run_query("family", {"family": "LLAMA"}, graph=fixture_graph).records()
    assert {r["model"] for r in llama} == {"Llama-3.1-8B-Instruct", "Llama-3", "LLaMA-7B"}
    sub = run_query("family", {"family": "llama-3.1"}, graph=fixture_graph).records()
    assert [(r["family"], r["model"]) for r in sub] == [("Llama-3.1", "Llama-3.1-8B-Instruct")]


def test_entity_profile_shows_family_both_ways(fixture_store):
    rows = {(r["role"], r["related"]) for r in run_query("entity", {"entity": "llama-3.1"}, store=fixture_store).records()}
    assert rows == {("variant of", "Llama"), ("has variant", "Llama-3.1-8B-Instruct")}
    gpu = {(r["role"], r["related"]) for r in run_query("entity", {"entity": "gpus"}, store=fixture_store).records()}
    assert gpu == {("alias", "GPUs"), ("targeted by", "QuantX: Fast 2-bit Quantization of LLMs on GPUs")}


def test_paper_is_found_by_title_words_identifier_or_what_it_proposes(fixture_store):
    def papers(value):
        return {r["paper"] for r in run_query("paper", {"paper": value}, store=fixture_store).records()}

    bfs = {"Scaling up Multi-Turn Off-Policy RL and Multi-Agent Tree Search for LLM Step-Provers"}
    assert papers("2509.06493") == papers("bfs-prover-v2") == papers("multi-agent TREE search") == bfs
    assert papers("https://w3id.org/paperkg/id/paper/t-quantx") == {"QuantX: Fast 2-bit Quantization of LLMs on GPUs"}
    assert papers("no such paper") == set()


def test_optional_parameters_narrow_the_rows(fixture_store):
    assert [r["paper"][:6] for r in run_query("hardware-papers", {"hardware": "a100"},
                                              store=fixture_store).records()] == ["QuantX", "Scalin"]
    assert [(r["hardware"], r["papers"], r["percent"]) for r in run_query("hardware", {"hardware": "A100"},
                                                                        store=fixture_store).records()] == [
        ("NVIDIA A100", 2, Decimal("50.0"))]
    assert [r["name"] for r in run_query("whats-new", {"type": "benchmark"}, store=fixture_store).records()] == ["QBench"]
    assert [r["dataset"] for r in run_query("popular-datasets", {"min_papers": "2"}, store=fixture_store).records()] == [
        "MiniF2F"]
    assert [r["entity"] for r in run_query("review", {"threshold": "0.55"}, store=fixture_store).records()] == [
        "expert iteration"]
    ev = run_query("evidence", {"paper": "theoremllama", "entity": "gpt-4", "relation": "USESMODEL"},
                   store=fixture_store).records()
    assert [(r["relation"], r["confidence"]) for r in ev] == [("usesModel", Decimal("0.9"))]
    assert ev[0]["evidence"].startswith("The TheoremLlama framework achieves")
    assert run_query("evidence", {"paper": "theoremllama", "entity": "gpt-4", "relation": "proposes"},
                     store=fixture_store).rows == []
    assert {r["benchmark"] for r in run_query("compare", {"benchmark": "WikiText2"}, store=fixture_store).records()} == {
        "WikiText-2"}


# ----------------------------------------------------------------------------------------- names in any case


def test_names_match_in_any_case_and_spacing_by_hidden_labels(fixture_store, fixture_graph):
    for value in ("nvidia a100", "  NVIDIA   A100 ", "Nvidia A100", "a100"):
        for source in ({"store": fixture_store}, {"graph": fixture_graph}):
            rows = run_query("hardware", {"hardware": value}, **source).records()
            assert [r["hardware"] for r in rows] == ["NVIDIA A100"], (value, source)
    # a quote and a backslash survive case-folding and binding
    assert {r["entity"] for r in run_query("entity", {"entity": 'q"BENCH\\2'}, store=fixture_store).records()} == {
        "QBench"}
    assert run_query("hardware", {"hardware": "nvidia"}, store=fixture_store).rows == []  # whole names only


def test_key_variables_are_bound_only_where_a_query_reads_them():
    q = parse_query("# title: t\n# description: d\n# param: name = X  -- a name\n"
                    "SELECT ?e WHERE {\n  # @parameters\n  ?e ?p ?nameKey .\n}", "keys")
    assert q.keys == ("name",)
    assert 'VALUES (?nameParam ?nameKey) { ("GSM8K" "gsm8k") }' in values_text(q, {"name": "GSM8K"})
    plain = parse_query("# title: t\n# description: d\n# param: name = X  -- a name\n"
                        "SELECT ?e WHERE {\n  # @parameters\n  ?e ?p ?nameParam .\n}", "plain")
    assert plain.keys == () and "?nameKey" not in values_text(plain, {"name": "GSM8K"})


# ----------------------------------------------------------------------------------------- row limits


def test_row_limit_keeps_the_best_rows_and_says_what_it_left_out(fixture_store, fixture_graph, endpoint):
    full = run_query("leaderboard", {"benchmark": "minif2f"}, store=fixture_store, limit=0)
    assert len(full.rows) == 4 and not full.truncated
    assert run_query("leaderboard", {"benchmark": "minif2f"}, store=fixture_store).records() == full.records()
    for source in ({"store": fixture_store}, {"graph": fixture_graph}, {"endpoint": endpoint[0]}):
        top = run_query("leaderboard", {"benchmark": "minif2f"}, limit=2, **source)
        assert top.truncated and top.records() == full.records()[:2], source
        exact = run_query("leaderboard", {"benchmark": "minif2f"}, limit=4, **source)
        assert not exact.truncated and exact.records() == full.records(), source
    pairs = run_query("hardware-papers", store=fixture_store, limit=1)
    assert pairs.truncated and [r["hardware"] for r in pairs.records()] == ["NVIDIA A100"]
    with pytest.raises(QueryError, match="takes no limit"):
        run_query("family", store=fixture_store, limit=5)
    for bad in (-1, 1.5, True):
        with pytest.raises(QueryError, match="whole number"):
            run_query("leaderboard", store=fixture_store, limit=bad)


def test_the_limit_goes_where_the_query_marks_it():
    q = load_query("leaderboard")
    assert q.limit == 100
    assert "LIMIT 7\n" in values_text(q, limit=7) and "LIMIT 100\n" in values_text(q)
    assert "LIMIT" not in values_text(q, limit=0) and "# @limit" not in values_text(q, limit=0)
    inner = values_text(q, limit=7).split("LIMIT 7")[0]
    assert inner.count("SELECT") == 3  # inside the ranking sub-select, before the details are looked up


_DATED = """
@prefix kg: <https://w3id.org/paperkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<urn:h> a kg:Hardware ; rdfs:label "TPU" .
<urn:old> a kg:Paper ; dcterms:title "Old" ; dcterms:date "2023-02-01"^^xsd:date ; kg:targetsHardware <urn:h> .
<urn:new> a kg:Paper ; dcterms:title "New" ; dcterms:date "2025-06-30"^^xsd:date ; kg:targetsHardware <urn:h> .
<urn:undated> a kg:Paper ; dcterms:title "Undated" ; kg:targetsHardware <urn:h> .
<urn:mid> a kg:Paper ; dcterms:title "Mid" ; dcterms:date "2024-01-15"^^xsd:date ; kg:targetsHardware <urn:h> .
"""


def test_hardware_papers_lists_the_newest_first_and_cuts_the_oldest():
    g = Graph().parse(data=_DATED, format="turtle")
    store = ox.Store()
    store.load(_DATED.encode(), format=ox.RdfFormat.TURTLE)
    for source in ({"graph": g}, {"store": store}):
        rows = run_query("hardware-papers", **source).records()
        assert [r["paper"] for r in rows] == ["New", "Mid", "Old", "Undated"], source
        top = run_query("hardware-papers", limit=2, **source)
        assert [r["paper"] for r in top.records()] == ["New", "Mid"] and top.truncated
    (row,) = run_query("hardware", graph=g).records()
    assert (row["hardware"], row["papers"], row["percent"], row["aliases"]) == ("TPU", 4, Decimal("100.0"), "")


def test_typed_parameters_reject_bad_values_cleanly(fixture_store):
    for bad in ("abc", "0.7) } ; DROP ALL ; {", "NaN", ""):
        with pytest.raises(QueryError, match="parameter threshold: not a"):
            run_query("review", {"threshold": bad}, store=fixture_store)
    with pytest.raises(QueryError, match="parameter min_papers: not an integer"):
        run_query("popular-datasets", {"min_papers": "1.5"}, store=fixture_store)


# ----------------------------------------------------------------------------------------- binding is safe


def test_sparql_literal_escapes_everything_that_could_end_it():
    assert sparql_literal(Literal('a"b\\c\nd\re\tf')) == '"a\\"b\\\\c\\nd\\re\\tf"'
    assert sparql_literal(Literal("1.5", datatype=Literal(Decimal("1.5")).datatype)) == (
        '"1.5"^^<http://www.w3.org/2001/XMLSchema#decimal>')
    assert sparql_literal(Literal("chat", lang="fr")) == '"chat"@fr'


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_payloads_find_nothing_and_change_nothing(payload, fixture_graph, fixture_store, endpoint,
                                                          queries):
    url, served = endpoint
    before = (len(fixture_graph), len(fixture_store), len(served))
    for name in ("leaderboard", "entity", "family", "evidence", "hardware", "paper", "benchmark-graph"):
        q = queries[name]
        params = {p.name: payload for p in q.params}
        for source in ({"graph": fixture_graph}, {"store": fixture_store}, {"endpoint": url}):
            if name not in ("leaderboard", "evidence") and "graph" in source:
                continue  # rdflib is the slow engine: two queries there are enough
            assert len(run_query(q, params, **source)) == 0, (name, source)
    assert (len(fixture_graph), len(fixture_store), len(served)) == before
    assert isomorphic(fixture_graph, read_graph(FIXTURE))


def test_a_pasted_payload_would_have_matched_but_a_bound_one_does_not(fixture_store):
    """Pasted into the FILTER, this value makes it true for every dataset; bound, it is just text."""
    q = load_query("compare")
    payload = 'x") = STR("x") || true || STR("'
    pasted = q.text.replace("?benchmarkParam", f'"{payload}"').replace("?benchmarkKey", '"x"')
    every = run_query(q, {"benchmark": ""}, store=fixture_store)
    assert len({r["benchmark"] for r in every.records()}) > 1
    assert len(list(fixture_store.query(pasted))) == len(every.rows)  # every benchmark: the attack works
    assert run_query(q, {"benchmark": payload}, store=fixture_store).rows == []


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40))
def test_any_text_round_trips_through_the_values_clause(value):
    q = parse_query("# title: t\n# description: d\n# param: v = x  -- any text\n"
                    "SELECT ?out WHERE {\n  # @parameters\n  BIND(?vParam AS ?out)\n}", "echo")
    store = ox.Store()
    (solution,) = list(store.query(values_text(q, {"v": value})))
    assert solution["out"].value == value


def test_values_clause_parses_identically_in_rdflib():
    from rdflib.plugins.sparql import prepareQuery

    q = parse_query("# title: t\n# description: d\n# param: v = x  -- any text\n"
                    "SELECT ?out WHERE {\n  # @parameters\n  BIND(?vParam AS ?out)\n}", "echo")
    for payload in PAYLOADS:
        (row,) = list(Graph().query(prepareQuery(values_text(q, {"v": payload}))))
        if "\\u" in payload:
            # rdflib decodes \uXXXX before parsing, even after an escaped backslash: the value changes,
            # but it stays one literal (here \" , an escaped quote). Oxigraph keeps it exact.
            assert str(row[0]) == payload.replace("\\u0022", '"')
        else:
            assert str(row[0]) == payload


def test_values_that_are_not_text_get_a_clean_error(fixture_store):
    with pytest.raises(QueryError, match="NUL"):
        run_query("leaderboard", {"benchmark": "a\x00b"}, store=fixture_store)
    with pytest.raises(QueryError, match="not valid Unicode"):
        run_query("leaderboard", {"benchmark": "bad \udce9 surrogate"}, store=fixture_store)


def test_quotes_and_backslashes_match_real_labels(fixture_graph, fixture_store, endpoint):
    """The fixture's QBench has the alias  Q"Bench\\2 : a value holding them is found, on every engine."""
    for source in ({"graph": fixture_graph}, {"store": fixture_store}, {"endpoint": endpoint[0]}):
        rows = run_query("entity", {"entity": 'q"bench\\2'}, **source).records()
        assert {(r["entity"], r["role"], r["related"]) for r in rows} == {
            ("QBench", "alias", 'Q"Bench\\2'), ("QBench", "proposed by", "QuantX: Fast 2-bit Quantization of LLMs on GPUs")}


# ----------------------------------------------------------------------------------------- sources


def test_exactly_one_source(fixture_graph):
    with pytest.raises(QueryError, match="exactly one"):
        run_query("leaderboard", graph=fixture_graph, endpoint="http://127.0.0.1:9/sparql")
    with pytest.raises(QueryError, match="exactly one"):
        run_query("leaderboard")


def test_missing_or_bad_sources_get_clear_errors(tmp_path):
    with pytest.raises(GraphError, match="no such graph file"):
        run_query("leaderboard", graph=tmp_path / "nope.ttl")
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(GraphError, match="bad.ttl: cannot parse"):
        run_query("leaderboard", graph=bad)
    with pytest.raises(GraphError, match="no such store directory"):
        run_query("leaderboard", store=tmp_path / "nostore")
    with pytest.raises(QueryError, match="not an http"):
        run_query("leaderboard", endpoint="ftp://example.org/sparql")


def test_unreachable_endpoint_is_a_clean_error():
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(QueryError, match="cannot reach endpoint"):
        run_query("leaderboard", endpoint=f"http://127.0.0.1:{port}/sparql", timeout=5)


def test_store_directory_on_disk(tmp_path, sample_graph_path):
    """A pyoxigraph store on disk, loaded with the sample graph, is queried read-only."""
    path = tmp_path / "store"
    writer = ox.Store(str(path))
    writer.bulk_load(path=str(sample_graph_path), format=ox.RdfFormat.TURTLE)
    writer.flush()
    n = len(writer)
    del writer
    rows = run_query("leaderboard", {"benchmark": "MiniF2F"}, store=path).records()
    assert ("BFS-Prover-V2", Decimal("95.08")) in {(r["system"], r["value"]) for r in rows}
    assert len(ox.Store.read_only(str(path))) == n


def test_construct_graph_from_each_kind_of_source(fixture_graph, fixture_store, endpoint, tmp_path):
    expected = construct_graph("family-graph", {"family": "Llama"}, fixture_graph)
    assert len(expected) == 23
    for source in (FIXTURE, str(FIXTURE), fixture_store, endpoint[0]):
        assert isomorphic(construct_graph("family-graph", {"family": "Llama"}, source), expected), source
    with pytest.raises(QueryError, match="not a CONSTRUCT; graph queries: benchmark-graph, family-graph"):
        construct_graph("leaderboard", {}, fixture_graph)


def test_constructed_graph_renders_in_the_view(fixture_graph):
    from kg.view import render_html

    g = construct_graph("benchmark-graph", {"benchmark": "miniF2F"}, fixture_graph)
    html = render_html(g)
    assert "BFS-Prover-V2" in html and "TheoremLlama" in html


# ----------------------------------------------------------------------------------------- output formats


def test_table_aligns_columns_and_truncates_long_text(fixture_store):
    res = run_query("leaderboard", store=fixture_store)
    text = format_result(res, "table", width=100)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 100
    header, rule = lines[0], lines[1]
    assert header.split() == res.columns
    assert len(rule.split()) == len(res.columns)
    # every column starts where its rule does, in the header and in every row
    starts = [i for i, ch in enumerate(rule) if ch == "-" and (i == 0 or rule[i - 1] == " ")]
    for line in [header] + lines[2:-1]:
        assert len(line) <= len(rule)
        assert all(i == 0 or line[i - 1] == " " for i in starts)
    assert "95.08" in lines[2] and "…" in text
    assert lines[-1] == "(4 rows)"
    assert format_table(["a"], [], width=40).endswith("(no rows)")


def test_numbers_right_aligned_and_text_cut():
    table = format_table(["name", "n"], [(Literal("GPU"), Literal(3)), (Literal("x" * 30), Literal(12))], width=20)
    assert table.splitlines() == ["name               n", "----------------  --", "GPU                3",
                                  "xxxxxxxxxxxxxxx…  12", "(2 rows)"]


def test_csv_and_json_are_machine_readable_and_stable(fixture_store):
    res = run_query("leaderboard", store=fixture_store)
    rows = list(csv.DictReader(io.StringIO(format_result(res, "csv"))))
    assert rows[0]["system"] == "BFS-Prover-V2" and rows[0]["value"] == "95.08" and rows[0]["metric"] == ""
    data = json.loads(format_result(res, "json"))
    assert data["query"] == "leaderboard" and data["params"] == {"benchmark": "MiniF2F"}
    assert data["columns"] == res.columns
    assert data["rows"][0]["value"] == 95.08 and data["rows"][0]["metric"] is None
    assert format_result(run_query("leaderboard", store=fixture_store), "json") == format_result(res, "json")


def test_construct_formats(fixture_store):
    res = run_query("hardware-graph", store=fixture_store)
    assert isomorphic(Graph().parse(data=format_result(res, "turtle"), format="turtle"), res.graph)
    assert isomorphic(Graph().parse(data=format_result(res, "json"), format="json-ld"), res.graph)
    nt = format_result(res, "nt")
    assert nt.splitlines() == sorted(nt.splitlines())
    with pytest.raises(QueryError, match="CONSTRUCT query returning a graph"):
        format_result(res, "csv")
    with pytest.raises(QueryError, match="SELECT query returning rows"):
        format_result(run_query("leaderboard", store=fixture_store), "turtle")


def test_parse_params():
    assert parse_params(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    with pytest.raises(QueryError, match="not KEY=VALUE"):
        parse_params(["oops"])
    with pytest.raises(QueryError, match="given twice"):
        parse_params(["a=1", "a=2"])


# ----------------------------------------------------------------------------------------- the sample graph


def test_every_query_gives_rows_on_the_sample(sample_store):
    for name in NAMES:
        assert len(run_query(name, store=sample_store)) > 0, name


def test_sample_leaderboard_holds_bfs_prover_v2(sample_store):
    rows = run_query("leaderboard", {"benchmark": "minif2f"}, store=sample_store).records()
    assert ("BFS-Prover-V2", Decimal("95.08"), "%") in {(r["system"], r["value"], r["unit"]) for r in rows}
    assert {r["benchmark"] for r in rows} == {"MiniF2F"}
    absolute = [r["value"] for r in rows if r["kind"] == "absolute"]
    assert absolute == sorted(absolute, reverse=True)
    assert all(Decimal(0) <= v <= Decimal(100) for v in absolute)


def test_sample_family_and_hardware_and_paper(sample_store):
    llama = {r["model"] for r in run_query("family", {"family": "Llama"}, store=sample_store).records()}
    assert "Llama-3.1-8B-Instruct" in llama and "Llama-3.1" in llama
    hardware = {r["hardware"] for r in run_query("hardware", store=sample_store).records()}
    assert {"GPU", "NVIDIA A100"} <= hardware
    profile = {(r["relation"], r["entity"]) for r in run_query("paper", {"paper": "BFS-Prover-V2"},
                                                                 store=sample_store).records()}
    assert {("proposes", "BFS-Prover-V2"), ("evaluatedOn", "MiniF2F")} <= profile
    similar = run_query("similar", {"paper": "BFS-Prover-V2"}, store=sample_store).records()
    assert [r["shared"] for r in similar] == sorted((r["shared"] for r in similar), reverse=True)
    assert all("MiniF2F" in r["shared_entities"].split("; ") or r["shared"] >= 1 for r in similar)


def test_sample_construct_keeps_the_graph_shape(sample_store):
    g = run_query("benchmark-graph", {"benchmark": "MiniF2F"}, store=sample_store).graph
    assert (None, None, Literal("MiniF2F")) in g
    assert (None, None, Literal("BFS-Prover-V2")) in g


# ----------------------------------------------------------------------------------------- the CLI


def test_cli_list_shows_names_descriptions_and_defaults():
    r = CliRunner().invoke(cli, ["query", "--list"])
    assert r.exit_code == 0, r.output
    for name in NAMES:
        assert f"\n{name} " in "\n" + r.output
    assert "-p benchmark=MiniF2F" in r.output and "-p family=Llama" in r.output
    assert "-p threshold=0.7 (decimal)" in r.output


def test_cli_query_table_csv_json():
    runner = CliRunner()
    r = runner.invoke(cli, ["query", "leaderboard", "-p", "benchmark=minif2f", "--graph", str(FIXTURE)])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0].split() == ["benchmark", "value", "unit", "kind", "metric", "system", "paper",
                                                "confidence", "evidence"]
    assert "BFS-Prover-V2" in r.output and "(4 rows)" in r.output
    r = runner.invoke(cli, ["query", "family", "--graph", str(FIXTURE), "--format", "csv"])
    assert r.exit_code == 0 and r.output.startswith("family,model,relation,paper,confidence,evidence\n")
    r = runner.invoke(cli, ["query", "hardware", "--graph", str(FIXTURE), "--format", "json"])
    assert json.loads(r.output)["rows"][0]["hardware"] == "NVIDIA A100"
    assert json.loads(r.output)["truncated"] is False
    r = runner.invoke(cli, ["query", "family-graph", "--graph", str(FIXTURE)])
    assert r.exit_code == 0 and len(Graph().parse(data=r.output, format="turtle")) == 23


def test_cli_limit_shows_the_best_rows_and_says_so_on_stderr():
    runner = CliRunner()
    r = runner.invoke(cli, ["query", "leaderboard", "-p", "benchmark=minif2f", "--graph", str(FIXTURE),
                            "--limit", "1", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[1].startswith("MiniF2F,95.08,%,absolute") and len(r.stdout.splitlines()) == 2
    assert "showing the first 1 rows" in r.stderr and "--limit 0" in r.stderr
    r = runner.invoke(cli, ["query", "leaderboard", "-p", "benchmark=minif2f", "--graph", str(FIXTURE),
                            "--limit", "1", "--format", "json"])
    assert json.loads(r.stdout)["truncated"] is True and len(json.loads(r.stdout)["rows"]) == 1
    r = runner.invoke(cli, ["query", "leaderboard", "-p", "benchmark=minif2f", "--graph", str(FIXTURE), "--limit", "0"])
    assert r.exit_code == 0 and "(4 rows)" in r.stdout and r.stderr == ""
    r = runner.invoke(cli, ["query", "family", "--graph", str(FIXTURE), "--limit", "3"])
    assert r.exit_code == 2 and "returns all its rows" in r.stderr
    r = runner.invoke(cli, ["query", "leaderboard", "--limit", "-2"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    r = runner.invoke(cli, ["query", "leaderboard", "--limit", "5", "--sparql"])
    assert r.exit_code == 0 and "LIMIT 5" in r.stdout
    r = runner.invoke(cli, ["query", "--list"])
    assert "--limit 100" in r.stdout


def test_cli_store_and_endpoint(endpoint, tmp_path):
    path = tmp_path / "store"
    writer = ox.Store(str(path))
    writer.bulk_load(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)
    writer.flush()
    del writer
    runner = CliRunner()
    by_store = runner.invoke(cli, ["query", "similar", "--store", str(path), "--format", "csv"])
    by_endpoint = runner.invoke(cli, ["query", "similar", "--endpoint", endpoint[0], "--format", "csv"])
    assert by_store.exit_code == by_endpoint.exit_code == 0, by_store.output + by_endpoint.output
    assert by_store.output == by_endpoint.output == _expected_csv("similar")


def test_cli_prints_the_bound_query():
    r = CliRunner().invoke(cli, ["query", "leaderboard", "-p", 'benchmark=Mini"F2F', "--sparql"])
    assert r.exit_code == 0
    assert 'VALUES (?benchmarkParam ?benchmarkKey) { ("Mini\\"F2F" "mini\\"f2f") }' in r.output
    assert "# @parameters" not in r.output


@pytest.mark.parametrize("args, message", [
    (["query", "nope"], "Error: unknown query 'nope'; available: benchmark-graph, compare"),
    (["query", "leaderboard", "-p", "bench=x"], "has no parameter 'bench' (did you mean 'benchmark'?); its parameters: benchmark"),
    (["query", "leaderboard", "-p", "x"], "Error: parameter 'x' is not KEY=VALUE"),
    (["query", "leaderboard", "--graph", "missing.ttl"], "Error: missing.ttl: no such graph file"),
    (["query", "leaderboard", "--format", "turtle", "--graph", str(FIXTURE)], "Error: leaderboard is a SELECT query"),
    (["query", "review", "-p", "threshold=high", "--graph", str(FIXTURE)], "Error: parameter threshold: not a decimal"),
])
def test_cli_errors_are_one_line(args, message):
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 1
    assert message in r.output
    assert "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_cli_usage_errors():
    runner = CliRunner()
    assert "give a query NAME" in runner.invoke(cli, ["query"]).output
    r = runner.invoke(cli, ["query", "leaderboard", "--graph", str(FIXTURE), "--endpoint", "http://x/sparql"])
    assert r.exit_code == 2 and "give one of --graph, --store or --endpoint" in r.output


def test_query_and_serve_help_have_examples():
    for command in ("query", "serve"):
        r = CliRunner().invoke(cli, [command, "--help"])
        assert r.exit_code == 0 and "Example:" in r.output


def test_kg_query_is_fast_and_does_not_import_spacy(sample_graph_path):
    """`kg query --list` and a query on the sample, in a fresh interpreter: no spaCy, well under a second."""
    code = ("import sys, time; t = time.perf_counter(); from kg.cli import cli\n"
            "for args in (['query', '--list'], ['query', 'leaderboard', '--graph', sys.argv[1]]):\n"
            "    cli.main(args, standalone_mode=False)\n"
            "print('SECONDS', time.perf_counter() - t); print('SPACY', 'spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(sample_graph_path)], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert "SPACY False" in out
    seconds = float(out.split("SECONDS ")[1].split()[0])
    assert seconds < 2.0, seconds  # ~0.3 s here; the bound only catches a regression such as importing spaCy


# ----------------------------------------------------------------------------------------- kg serve


def _get(url, accept="application/sparql-results+json", data=None, ctype=None):
    headers = {"Accept": accept}
    if ctype:
        headers["Content-Type"] = ctype
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers.get_content_type(), resp.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get_content_type(), e.read().decode("utf-8")


def test_server_speaks_the_sparql_protocol(endpoint):
    url, store = endpoint
    ask = urllib.parse.quote("ASK { ?s a <https://w3id.org/paperkg/ontology#Paper> }")
    status, ctype, body = _get(f"{url}?query={ask}")
    assert (status, ctype, json.loads(body)["boolean"]) == (200, "application/sparql-results+json", True)
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/paperkg/ontology#Paper> }"
    status, _, body = _get(url, data=q.encode(), ctype="application/sparql-query")
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "4"
    status, ctype, body = _get(url, accept="text/csv", data=urllib.parse.urlencode({"query": q}).encode(),
                               ctype="application/x-www-form-urlencoded")
    assert (status, ctype) == (200, "text/csv") and body.split() == ["n", "4"]
    construct = urllib.parse.quote("CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 2")
    status, ctype, body = _get(f"{url}?query={construct}", accept="text/turtle")
    assert (status, ctype) == (200, "text/turtle") and len(Graph().parse(data=body, format="turtle")) == 2
    n = len(store)
    status, _, body = _get(url, data=b"update=DROP%20ALL", ctype="application/x-www-form-urlencoded")
    assert status == 403 and "read-only" in body
    status, _, body = _get(url, data=b"DROP ALL", ctype="application/sparql-update")
    assert status == 403
    status, _, body = _get(url, data=b"DROP ALL", ctype="application/sparql-query")
    assert status == 400 and "malformed query" in body
    assert len(store) == n
    assert _get(f"{url}?query=SELECT")[0] == 400
    assert _get(url.replace("/sparql", "/other"))[0] == 404
    assert _get(url)[0] == 400


def test_kg_serve_command_serves_a_graph_file():
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", str(FIXTURE), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline()
        assert line.startswith("Serving") and "read-only" in line, line + proc.stderr.read()
        url = line.split(" at ")[1].split()[0]
        deadline = time.monotonic() + 10
        while True:
            try:
                rows = run_query("leaderboard", endpoint=url).records()
                break
            except QueryError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        assert rows[0]["system"] == "BFS-Prover-V2"
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()


def test_kg_serve_reports_a_missing_graph():
    r = CliRunner().invoke(cli, ["serve", "missing.ttl"])
    assert r.exit_code == 1 and "Error: missing.ttl: no such graph file" in r.output


def test_cannedquery_is_the_public_type():
    assert isinstance(load_query("leaderboard"), CannedQuery)
