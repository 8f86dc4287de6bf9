"""Trust under bad input: fuzzed ingest, valid IRIs whatever the names, and builds that survive SIGKILL.

The property test feeds ingest what real inputs throw at it (random bytes, huge lines, deeply nested JSON,
odd Unicode, control characters and NUL, titles and abstracts full of RDF, HTML and SPARQL metacharacters)
and demands one of two outcomes: a clean `kg.errors.InputError` with a one-line message, or a graph that
serialises to Turtle and N-Triples, parses back (rdflib and pyoxigraph) to the same graph, and conforms to
the SHACL shapes.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.errors import InputError
from kg.export import serialize_graph
from kg.extract import extract_papers
from kg.extract.names import entity_key
from kg.graph import build_graph, entity_iri, paper_iri
from kg.ingest import Paper, read_papers
from kg.validate import validate_graph
from kg.void import add_void

KG_BIN = Path(sys.executable).with_name("kg")

# RFC 3987 forbids these anywhere in an IRI (plus controls and space); Turtle and N-Triples cannot write them.
BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f]')

# KG_FUZZ_EXAMPLES=2000 pytest tests/test_trust.py  searches longer than the default, bounded run.
FUZZ = settings(max_examples=int(os.environ.get("KG_FUZZ_EXAMPLES", 60)), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.data_too_large])

# Pieces that break naive writers of Turtle, N-Triples, JSON-LD, HTML and SPARQL.
META = ['"', "'", '"""', "'''", "<", ">", "&", "&amp;", "\\", "\\u0000", "\\n", "{", "}", "|", "^", "^^", "`",
        "@en", "@prefix", "_:b0", "<http://x/y>", "<script>alert(1)</script>", "]]>", "<!--", "SELECT * WHERE {",
        "} ; DROP GRAPH <g>", "?x", "$y", "#", "%", "%00", "%2F", "/", "../", ";", ".", ",", "\t", "\n", "\r\n",
        "\x00", "\x01", "\x1b[31m", "\x7f", "\x85", "\x9f", "\u2028", "\u2029", "\ufeff", "\u202e", "\u200b",
        "\ufffe", "\U0001f600", "e\u0301", "\ud800", "\udfff", "Ω", "日本語"]
# Names the extractor knows, so fuzzed text also produces links, results and entity IRIs.
WORDS = ["We", "propose", "FooNet", "GPT-4", "Llama-2-7B", "GSM8K", "MATH", "LoRA", "on", "GPUs", "A100",
         "reaches", "71.5%", "accuracy", "evaluated", "outperforms", "by", "3.2", "points", "with", "BERT",
         "fine-tune", "dataset", "benchmark", "model", "method", "theorem proving", "We introduce"]

odd_char = st.characters(codec=None, exclude_categories=())  # every code point, surrogates included
token = st.one_of(st.sampled_from(META), st.sampled_from(WORDS), st.text(odd_char, min_size=1, max_size=4))
fuzz_text = st.lists(token, min_size=1, max_size=30).map(" ".join) | st.text(odd_char, min_size=1, max_size=60)
json_scalar = st.none() | st.booleans() | st.integers() | st.floats() | fuzz_text
json_value = st.recursive(json_scalar, lambda kids: st.lists(kids, max_size=3)
                          | st.dictionaries(st.text(max_size=5), kids, max_size=3), max_leaves=8)


def deep(depth: int, leaf="x"):
    v = leaf
    for _ in range(depth):
        v = [v]
    return v


@st.composite
def record(draw):
    r = {}
    for key in ("title", "abstract"):
        if draw(st.integers(0, 19)):  # mostly present
            r[key] = draw(fuzz_text)
        elif draw(st.booleans()):
            r[key] = draw(json_value)
    if draw(st.integers(0, 5)) == 0:  # an abstract long enough to be rejected, or long but fine
        r["abstract"] = draw(st.sampled_from(["We propose FooNet. " * 60, "x" * 25_000, "GSM8K " * 3_000]))
    for key in ("id", "authors", "authors_parsed", "categories", "date", "update_date", "doi", "url"):
        if draw(st.integers(0, 3)) == 0:
            r[key] = draw(json_value | st.sampled_from(
                ["2401.00001v2", "hep-th/9901001", "2024-02-30", "2024-13-01", "٢٠٢٤-٠١-٠١", "0000-01-01",
                 "2024-01-05T10:00:00Z", deep(50), 10 ** 40, -1e308]))
    return r


@st.composite
def input_file(draw):
    """(file name, bytes) of a paper input, well formed or not."""
    kind = draw(st.sampled_from(["bytes", "nested", "huge"] + ["json", "jsonl", "daily"] * 3))
    if kind == "bytes":
        return "random.txt", draw(st.binary(max_size=400))
    if kind == "nested":
        depth = draw(st.sampled_from([10, 900, 5000, 50_000]))
        inner = draw(st.sampled_from(["list", "id"]))
        if inner == "list":
            return "deep.json", ("[" * depth + "]" * depth).encode()
        body = '{"title": "T", "abstract": "We propose FooNet.", "id": ' + "[" * depth + "1" + "]" * depth + "}"
        return "deep.jsonl", body.encode()
    if kind == "huge":
        line = draw(st.sampled_from(["a", "We propose FooNet. ", "<>\"\\", "\u2028"])) * draw(
            st.sampled_from([10_000, 300_000]))
        return "huge.txt", ("Daily Papers\n\nHuge\n\n" + line + "\n").encode("utf-8", "surrogatepass")
    recs = draw(st.lists(record(), min_size=1, max_size=4))
    ascii_only = draw(st.booleans())
    if kind == "json":
        text = json.dumps(recs, ensure_ascii=ascii_only)
        name = "papers.json"
    elif kind == "jsonl":
        text = "\n".join(json.dumps(r, ensure_ascii=ascii_only) for r in recs)
        name = "papers.jsonl"
    else:
        blocks = [f"{r.get('title', '')}\n\n{r.get('abstract', '')}" for r in recs
                  if isinstance(r.get("title", ""), str) and isinstance(r.get("abstract", ""), str)]
        text = "Daily Papers\n\nSep 12\n\n" + "\n\n".join(blocks) + "\n"
        name = "papers.txt"
    return name, text.encode("utf-8", "surrogatepass")  # a lone surrogate here makes the file invalid UTF-8


def assert_valid_iri(term) -> None:
    iri = str(term)
    assert re.match(r"^https?://[^/]+/", iri), iri
    assert not BAD_IRI_CHARS.search(iri), f"invalid character in IRI {iri!r}"
    ox.NamedNode(iri)  # pyoxigraph validates IRIs strictly (RFC 3987); raises ValueError otherwise


def assert_graph_is_sound(g: Graph) -> None:
    """Every IRI valid; Turtle and N-Triples read back identical by two parsers; SHACL conforms."""
    for t in g:
        for term in t:
            assert not isinstance(term, BNode), "graphs have no blank nodes"
            if isinstance(term, URIRef):
                assert_valid_iri(term)
            elif isinstance(term, Literal):
                assert term.ill_typed is not True, f"ill-typed literal {term!r}"
    for fmt, rdflib_name, ox_format in (("turtle", "turtle", ox.RdfFormat.TURTLE),
                                        ("ntriples", "nt", ox.RdfFormat.N_TRIPLES)):
        data = serialize_graph(g, fmt)
        back = Graph().parse(data=data, format=rdflib_name)
        assert isomorphic(back, g), f"{fmt} does not round-trip"
        assert len(list(ox.parse(data, format=ox_format))) == len(g), f"pyoxigraph reads {fmt} differently"
    report = validate_graph(g)
    assert report.conforms, "\n".join(map(str, report.violations[:10]))


def one_line(e: Exception) -> str:
    msg = str(e)
    assert msg and "\n" not in msg and "\r" not in msg, repr(msg)
    return msg


# ------------------------------------------------------------------------------------- fuzzed ingest

@FUZZ
@given(files=st.lists(input_file(), min_size=1, max_size=2))
@example(files=[("nul.json", b'[{"title": "A\\u0000B", "abstract": "We propose FooNet\\u0000. It runs on GPUs."}]')])
@example(files=[("sur.jsonl", b'{"title": "A \\ud800 B", "abstract": "We propose Foo\\udfffNet on GSM8K."}')])
@example(files=[("date.jsonl", b'{"title": "T", "abstract": "We propose FooNet.", "date": "2024-02-30"}')])
@example(files=[("int.jsonl", b'{"title": "T", "abstract": "A.", "id": ' + b"9" * 5000 + b"}")])
@example(files=[("cat.jsonl", b'{"title": "T", "abstract": "A.", "categories": 5, "authors": 7}')])
@example(files=[("sep.jsonl", '{"title": "T\u2028U", "abstract": "We propose FooNet."}'.encode())])
def test_ingest_gives_clean_error_or_sound_graph(nlp, files):
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for n, (name, data) in enumerate(files):
            p = Path(d) / f"{n}-{name}"
            p.write_bytes(data)
            paths.append(p)
        try:
            report = read_papers(paths)
        except InputError as e:
            one_line(e)
            event("clean InputError")
            return
        for w in report.warnings:
            assert "\n" not in w
        g = build_graph(extract_papers(report.papers, nlp))
        add_void(g, files=report.files)
    event(f"graph with {'links' if any(True for _ in g.triples((None, RDF.subject, None))) else 'no links'}")
    assert_graph_is_sound(g)


def test_control_characters_and_nul_are_cleaned_from_fields(tmp_path, nlp):
    f = tmp_path / "p.json"
    f.write_text(json.dumps([{"title": "Foo\u0000Net\u0007: x\u009b", "abstract": "We\u0001 propose FooNet \ud800."}]),
                 encoding="utf-8")
    (paper,) = read_papers([f]).papers
    assert paper.title == "Foo Net : x" and paper.abstract == "We propose FooNet \ufffd."
    assert_graph_is_sound(build_graph(extract_papers([paper], nlp)))


def test_implausibly_long_abstract_is_skipped_with_a_warning(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps({"title": "Long", "abstract": "word " * 10_000}) + "\n"
                 + json.dumps({"title": "Short", "abstract": "We propose FooNet."}) + "\n")
    report = read_papers([f])
    assert [p.title for p in report.papers] == ["Short"]
    assert "p.jsonl:1" in report.warnings[0] and "abstract is" in report.warnings[0]
    with pytest.raises(InputError, match=r"p\.jsonl:1: abstract is 49999 characters long"):
        read_papers([f], strict=True)


@pytest.mark.parametrize("value,expected", [("2024-02-29", "2024-02-29"), ("2023-02-29", None),
                                            ("2024-13-01", None), ("٢٠٢٤-٠١-٠١", None),
                                            ("2024-01-05T10:00:00Z", "2024-01-05"), (20240105, None)])
def test_only_real_calendar_dates_become_xsd_dates(tmp_path, value, expected):
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps({"title": "T", "abstract": "A.", "date": value}))
    assert read_papers([f]).papers[0].date == expected


# ------------------------------------------------------------------------------------- IRIs

NASTY_NAMES = ["GPT 4/mini", "Model>v2", 'say "hi"', "a\\b", "50% off", "Modèle-Ω", "日本語モデル", "x?y#z",
               "{curly}|pipe^caret`tick", "tab\tnew\nline", "\x00nul", "..", "/", "", " ", "a" * 500,
               "emoji \U0001f600", "rtl \u202e", "%2F", "<http://evil/>"]


@pytest.mark.parametrize("name", NASTY_NAMES)
@pytest.mark.parametrize("etype", ["Method", "Model", "Dataset", "Benchmark", "Hardware", "Task", "Metric"])
def test_entity_iris_are_valid_whatever_the_name(etype, name):
    assert_valid_iri(entity_iri(etype, name))
    assert_valid_iri(entity_iri(etype, entity_key(name)))


@settings(max_examples=200, deadline=None)
@given(name=st.text(st.characters(codec=None), max_size=80), etype=st.sampled_from(["Model", "Dataset", "Task"]))
def test_entity_and_paper_iris_are_valid_for_any_text(name, etype):
    assert_valid_iri(entity_iri(etype, name))
    assert_valid_iri(entity_iri(etype, entity_key(name)))
    assume(name.strip())
    assert_valid_iri(paper_iri(Paper(title=name, abstract="A.", id=name)))


def test_iris_of_extracted_names_with_metacharacters_are_valid(nlp):
    papers = [Paper(title=f'{name}: A Model', abstract=f'We propose {name}, evaluated on GSM8K with GPT-4. '
                    f'{name} reaches 71.5% accuracy on GSM8K.', id=f"{name}v1") for name in NASTY_NAMES[:12]]
    g = build_graph(extract_papers(papers, nlp))
    assert_graph_is_sound(g)


# ------------------------------------------------------------------------------------- SIGKILL

def _synthetic_papers(path: Path, n: int = 150, authors: int = 100) -> None:
    """Papers with many authors: cheap to extract, yet a graph big enough to take seconds to write."""
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({
                "id": f"2401.{i:05d}", "title": f"FooNet-{i}: Fast Things",
                "abstract": f"We propose FooNet-{i}, evaluated on GSM8K with Llama-2-7B where it reaches "
                            f"71.{i % 10}% accuracy. It runs on GPUs.",
                "authors": [f"Author {i}-{j}" for j in range(authors)]}) + "\n")


def test_build_killed_midway_leaves_previous_output_intact(tmp_path, sample_graph_path):
    out = tmp_path / "out"
    out.mkdir()
    previous = sample_graph_path.read_bytes()
    (out / "graph.ttl").write_bytes(previous)
    big = tmp_path / "big.jsonl"
    _synthetic_papers(big)

    proc = subprocess.Popen([str(KG_BIN), "build", str(big), "-o", str(out), "--no-html"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    temps = []
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            temps = list(out.glob(".graph.ttl.*.tmp"))
            if temps:  # the new graph is being written: kill it in the middle of that
                time.sleep(0.3)
                break
            time.sleep(0.005)
        assert proc.poll() is None, f"build ended before it could be killed: {proc.stderr.read()[-500:]!r}"
        assert temps, "build never started writing graph.ttl"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert (out / "graph.ttl").read_bytes() == previous
    # Only the dot-temp file of the killed write is left beside it; no reader looks at it...
    left = sorted(p.name for p in out.iterdir())
    assert left[-1] == "graph.ttl" and all(re.fullmatch(r"\.graph\.ttl\.\w{8}\.tmp", n) for n in left[:-1]), left
    # ...and the next build clears it away.
    from kg.build import build_graph_files

    small = tmp_path / "small.jsonl"
    _synthetic_papers(small, n=2, authors=1)
    build_graph_files([small], out, html=False)
    assert not list(out.glob(".*.tmp")) and (out / "graph.ttl").is_file()
    assert b"FooNet-1" in (out / "graph.ttl").read_bytes()
