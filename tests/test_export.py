"""Export (Turtle, N-Triples, JSON-LD, TriG), the VoID/DCAT description, and the ontology docs.

Round trips are checked with `rdflib.compare.isomorphic` (the diff is printed when they differ), and the
Turtle and N-Triples files with an independent parser, `rapper` from raptor2-utils: skipped when it is
not installed, except under CI=true, where a missing tool fails the test.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import RDF, BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, OWL, PROV, VOID, XSD

from kg import __version__
from kg.cli import cli
from kg.export import FORMATS, GRAPH_IRI, export_graph, format_for_path, serialize_graph
from kg.ingest import SAMPLE_CORPUS
from kg.vocab import KG, LINK_PROPERTIES, ONTOLOGY_FILE, PREFIXES
from kg.void import DATASET, SPDX, add_void, class_partition_iri, describe_graph, is_description, \
    property_partition_iri

REPO = Path(__file__).resolve().parent.parent
KG_BIN = Path(sys.executable).with_name("kg")


def require_tool(name: str) -> str:
    """The path of a command-line tool; skip without it, but fail under CI=true where it must be installed."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is not installed; .ci/run must install it")
        pytest.skip(f"{name} is not installed (Debian: raptor2-utils)")
    return path


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)), catch_exceptions=False)


def one_line_error(result, *fragments):
    assert result.exit_code == 1, result.output
    lines = [l for l in result.output.splitlines() if l.startswith("Error:")]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]


def assert_isomorphic(expected: Graph, got: Graph) -> None:
    if isomorphic(expected, got):
        return
    _, only_expected, only_got = graph_diff(to_isomorphic(expected), to_isomorphic(got))
    lines = [f"- {t}" for t in sorted(only_expected)[:10]] + [f"+ {t}" for t in sorted(only_got)[:10]]
    pytest.fail("graphs differ:\n" + "\n".join(lines))


def by_value(g: Graph) -> Graph:
    """`g` with decimals in canonical form, as a store that keeps values (not spellings) gives them back."""
    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            o = Literal(format(o.toPython().normalize(), "f"), datatype=XSD.decimal)
        out.add((s, p, o))
    return out


def parse(data: bytes, fmt: str) -> Graph:
    """Read an export back with rdflib; for TriG, the named graph the data went into."""
    if fmt == "trig":
        ds = Dataset()
        ds.parse(data=data, format="trig")
        assert len(ds.default_graph) == 0, "TriG export leaves the default graph empty"
        return ds.graph(GRAPH_IRI)
    return Graph().parse(data=data, format=FORMATS[fmt].rdflib_name)


# ------------------------------------------------------------------------------------- formats

@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_round_trips_to_an_isomorphic_graph(sample_graph, fmt):
    data = serialize_graph(sample_graph, fmt)
    assert_isomorphic(sample_graph, parse(data, fmt))
    assert serialize_graph(sample_graph, fmt) == data  # same graph, same bytes


@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_pyoxigraph_reads_the_same_triples(sample_graph, fmt):
    data = serialize_graph(sample_graph, fmt)
    fmts = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES}
    assert len(set(ox.parse(data, format=fmts[fmt]))) == len(sample_graph)


def test_turtle_uses_the_fixed_readable_prefixes(sample_graph, sample_graph_path):
    text = serialize_graph(sample_graph, "turtle").decode("utf-8")
    for prefix in ("kg", "dcterms", "prov", "rdfs", "void"):
        assert f"@prefix {prefix}: <{({**PREFIXES, 'void': str(VOID)})[prefix]}> ." in text
    assert "kg:usesModel" in text and "ns1:" not in text
    assert text.encode("utf-8") == sample_graph_path.read_bytes()  # export of the built file is the file


def test_ntriples_are_canonical_sorted_lines(sample_graph):
    lines = serialize_graph(sample_graph, "ntriples").decode("utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(sample_graph)
    assert all(l.startswith("<") and l.endswith(" .") for l in lines)


def test_jsonld_has_a_context_of_the_prefixes_and_is_deterministic(sample_graph_path, tmp_path):
    outs = []
    for seed in ("1", "2"):  # set order changes with the hash seed; the bytes must not
        out = tmp_path / f"g{seed}.jsonld"
        subprocess.run([str(KG_BIN), "export", "-g", str(sample_graph_path), "-o", str(out)], check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    doc = json.loads(outs[0])
    assert doc["@context"]["kg"] == PREFIXES["kg"] and doc["@context"]["prov"] == PREFIXES["prov"]
    ids = [n["@id"] for n in doc["@graph"]]
    assert ids == sorted(ids)
    assert any(n.get("@type") == "kg:Paper" or "kg:Paper" in n.get("@type", []) for n in doc["@graph"])


def test_trig_puts_the_data_in_one_named_graph(sample_graph):
    text = serialize_graph(sample_graph, "trig").decode("utf-8")
    assert "kgr:graph {" in text
    ds = Dataset()
    ds.parse(data=text, format="trig")
    assert [str(c.identifier) for c in ds.contexts() if len(c)] == [str(GRAPH_IRI)]


def test_format_follows_the_file_suffix():
    assert [format_for_path(p).name for p in ("a.ttl", "a.nt", "a.jsonld", "a.json", "a.trig", "a.txt")] == \
        ["turtle", "ntriples", "jsonld", "jsonld", "trig", "turtle"]


def test_literals_with_every_kind_of_character_survive_every_format():
    g = Graph()
    s = URIRef("https://w3id.org/paperkg/id/model/x")
    text = 'quote " back \\ nl \n cr \r tab \t nul \x00 bell \x07 del \x7f é 日本 \U0001f600 </script> ]]> {?x}'
    g.add((s, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal(text)))
    g.add((s, KG.parameterCount, Literal("7000000000.0", datatype=XSD.decimal)))
    g.add((s, URIRef("http://www.w3.org/2004/02/skos/core#altLabel"), Literal("x", lang="en")))
    for fmt in FORMATS:
        assert_isomorphic(g, parse(serialize_graph(g, fmt), fmt))


# ------------------------------------------------------------------------------------- rapper

@pytest.mark.parametrize("fmt,parser", [("turtle", "turtle"), ("ntriples", "ntriples"), ("trig", "trig")])
def test_rapper_reads_the_export_with_the_same_triple_count(sample_graph_path, sample_graph, tmp_path, fmt, parser):
    rapper = require_tool("rapper")
    out = tmp_path / f"graph{FORMATS[fmt].suffix}"
    assert run("export", "-g", sample_graph_path, "-f", fmt, "-o", out).exit_code == 0
    r = subprocess.run([rapper, "-i", parser, "-c", str(out)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert re.search(r"returned (\d+) triples", r.stderr).group(1) == str(len(sample_graph)), r.stderr
    assert "error" not in r.stderr.lower() and "warning" not in r.stderr.lower(), r.stderr


# ------------------------------------------------------------------------------------- sources, CLI

def fill_store(path: Path, graph_file: Path, named: bool) -> None:
    store = ox.Store(str(path))
    graph = ox.NamedNode("https://w3id.org/paperkg/id/graph") if named else ox.DefaultGraph()
    store.load(path=str(graph_file), format=ox.RdfFormat.TURTLE, to_graph=graph)
    store.flush()
    del store


@pytest.mark.parametrize("named", [False, True])
@pytest.mark.parametrize("fmt", ["ntriples", "turtle"])
def test_export_from_a_pyoxigraph_store(sample_graph, sample_graph_path, tmp_path, named, fmt):
    store = tmp_path / "store"
    fill_store(store, sample_graph_path, named)
    out = tmp_path / f"g{FORMATS[fmt].suffix}"
    r = run("export", "--store", store, "-o", out)
    assert r.exit_code == 0, r.output
    assert f"({len(sample_graph)} triples, {fmt})" in r.output
    assert_isomorphic(by_value(sample_graph), by_value(parse(out.read_bytes(), fmt)))


def test_export_from_a_build_directory(sample_build, sample_graph, tmp_path):
    out = tmp_path / "g.trig"
    assert run("export", "--store", sample_build, "-o", out).exit_code == 0
    assert_isomorphic(sample_graph, parse(out.read_bytes(), "trig"))


def test_export_to_standard_output(sample_graph_path, sample_graph):
    r = CliRunner().invoke(cli, ["export", "-g", str(sample_graph_path), "-f", "ntriples"])
    assert r.exit_code == 0
    assert len(r.stdout_bytes.splitlines()) == len(sample_graph)


def test_export_writes_atomically_and_replaces(sample_graph_path, tmp_path):
    out = tmp_path / "deep" / "dir" / "g.nt"
    out.parent.mkdir(parents=True)
    out.write_text("old")
    summary = export_graph(out, graph=sample_graph_path)
    assert summary.format == "ntriples" and out.read_text() != "old"
    assert sorted(p.name for p in out.parent.iterdir()) == ["g.nt"]


def test_export_errors_are_one_line(tmp_path, sample_graph_path):
    one_line_error(run("export", "-g", tmp_path / "missing.ttl", "-o", tmp_path / "x.ttl"),
                   "missing.ttl", "no such graph file")
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .")
    for fmt in ("turtle", "ntriples"):
        one_line_error(run("export", "-g", bad, "-f", fmt, "-o", tmp_path / "x"), "bad.ttl", "cannot parse")
    one_line_error(run("export", "-g", sample_graph_path, "--store", tmp_path, "-o", tmp_path / "x.ttl"),
                   "not both")
    one_line_error(run("export", "--store", tmp_path / "nostore", "-o", tmp_path / "x.ttl"),
                   "no such store directory")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "file.txt").write_text("not a store")
    one_line_error(run("export", "--store", tmp_path / "junk", "-o", tmp_path / "x.ttl"), "junk", "neither")
    assert [p.name for p in (tmp_path / "junk").iterdir()] == ["file.txt"]  # nothing created there
    one_line_error(run("export", "-g", sample_graph_path, "-o", tmp_path), "is a directory")
    one_line_error(run("export", "-g", sample_graph_path, "-o", sample_graph_path / "x.nt"),
                   "is not a directory")
    assert not (tmp_path / "x.ttl").exists()


# ------------------------------------------------------------------------------------- VoID / DCAT

def test_built_graph_carries_a_void_description(sample_graph):
    g = sample_graph
    assert (DATASET, RDF.type, VOID.Dataset) in g
    assert (DATASET, RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")) in g
    data = [t for t in g if not is_description(t)]
    assert int(g.value(DATASET, VOID.triples)) == len(data)
    papers = len(set(g.subjects(RDF.type, KG.Paper)))
    assert int(g.value(class_partition_iri(KG.Paper), VOID.entities)) == papers == 95
    assert (DATASET, VOID.classPartition, class_partition_iri(KG.Model)) in g
    for prop in LINK_PROPERTIES.values():
        n = len(list(g.triples((None, prop, None))))
        if n:
            assert int(g.value(property_partition_iri(prop), VOID.triples)) == n, prop
            assert g.value(property_partition_iri(prop), VOID.property) == prop


def test_void_names_the_source_files_with_checksums_and_the_tool_version(sample_graph):
    g = sample_graph
    build = g.value(DATASET, PROV.wasGeneratedBy)
    (source,) = list(g.objects(build, PROV.used))
    assert str(g.value(source, SPDX.fileName)) == SAMPLE_CORPUS.name
    checksum = g.value(source, SPDX.checksum)
    assert g.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert str(g.value(checksum, SPDX.checksumValue)) == hashlib.sha256(SAMPLE_CORPUS.read_bytes()).hexdigest()
    tool = g.value(build, PROV.wasAssociatedWith)
    assert str(g.value(tool, URIRef("http://schema.org/softwareVersion"))) == __version__


def test_void_has_no_timestamp_and_no_blank_nodes(sample_graph):
    times = {DCTERMS.issued, DCTERMS.modified, DCTERMS.created, PROV.startedAtTime, PROV.endedAtTime,
             PROV.generatedAtTime}
    description = [t for t in sample_graph if is_description(t)]
    assert len(description) > 50
    for s, p, o in description:
        assert not isinstance(s, BNode) and not isinstance(o, BNode), (s, p, o)
        assert p not in times, p
        assert not (isinstance(o, Literal) and o.datatype in (XSD.dateTime, XSD.date, XSD.dateTimeStamp)), o


def test_void_is_replaced_not_duplicated_and_follows_the_data(sample_graph, tmp_path):
    g = Graph()
    g += sample_graph
    f = tmp_path / "other.jsonl"
    f.write_text("{}")
    add_void(g, files=[f], version="9.9")
    assert len(list(g.objects(DATASET, VOID.triples))) == 1
    assert str(g.value(g.value(g.value(DATASET, PROV.wasGeneratedBy), PROV.used), SPDX.fileName)) == "other.jsonl"
    before = int(g.value(DATASET, VOID.triples))
    g.remove((None, KG.usesModel, None))
    add_void(g, files=[f], version="9.9")
    assert int(g.value(DATASET, VOID.triples)) < before
    assert describe_graph(Graph()).value(DATASET, VOID.triples) == Literal(0)


# ------------------------------------------------------------------------------------- ontology docs

def ontology_terms() -> list[str]:
    onto = Graph().parse(ONTOLOGY_FILE)
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return sorted({str(s)[len(str(KG._NS)):] for k in kinds for s in onto.subjects(RDF.type, k)
                   if str(s).startswith(str(KG._NS))})


def test_ontology_html_documents_every_class_and_property(tmp_path):
    out = tmp_path / "docs" / "ontology.html"
    r = run("ontology", "--html", "-o", out)
    assert r.exit_code == 0 and f"Wrote {out}" in r.output
    html = out.read_text(encoding="utf-8")
    onto = Graph().parse(ONTOLOGY_FILE)
    for name in ontology_terms():
        assert f'id="{name}"' in html, name
        label = onto.value(KG[name], URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
        assert str(label) in html, name
    assert "https://w3id.org/paperkg/ontology#usesModel" in html
    assert '<a href="#Model"><code>kg:Model</code></a>' in html  # usesModel's range links to Model
    # self-contained: no scripts, stylesheets, fonts or images fetched from anywhere
    assert not re.search(r"<script|<link|<img|@import|url\(", html)


def test_ontology_command_prints_turtle_and_errors_are_one_line(tmp_path):
    r = run("ontology")
    assert r.exit_code == 0
    assert len(Graph().parse(data=r.output, format="turtle")) == len(Graph().parse(ONTOLOGY_FILE))
    assert run("ontology", "-o", tmp_path / "o.ttl").exit_code == 0
    assert (tmp_path / "o.ttl").read_bytes() == ONTOLOGY_FILE.read_bytes()
    blocker = tmp_path / "file"
    blocker.write_text("")
    one_line_error(run("ontology", "--html", "-o", blocker / "o.html"), "is not a directory")
    one_line_error(run("ontology", "--html", "-o", tmp_path), "is a directory")


def test_readme_documents_the_ontology_namespace():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Ontology", 1)[1].split("\n## ", 1)[0]
    assert "https://w3id.org/paperkg/ontology#" in section
    assert "kg:usesModel" in section and "<https://w3id.org/paperkg/ontology#usesModel>" in section
