"""The benchmark's corpus generator and report (bench/generate.py, bench/run.py); no timings are asserted."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from conftest import load_bench_generator
from kg.ingest import SAMPLE_CORPUS, iter_papers, normalise_title, read_papers

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def gen():
    return load_bench_generator()


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("paperkg_bench_run", BENCH / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_is_deterministic_and_prefix_stable(gen):
    a = list(gen.generate_records(200, seed=3))
    assert a == list(gen.generate_records(200, seed=3))
    assert a[:50] == list(gen.generate_records(50, seed=3))  # paper i depends on (seed, i) only
    assert a[100:] == list(gen.generate_records(100, seed=3, start=100))
    assert a != list(gen.generate_records(200, seed=4))


def test_written_corpus_is_byte_stable_and_reads_as_arxiv_records(gen, tmp_path):
    p1 = gen.write_corpus(tmp_path / "a.jsonl", 300)
    p2 = gen.write_corpus(tmp_path / "b.jsonl", 300)
    assert p1.read_bytes() == p2.read_bytes()
    report = read_papers([p1], strict=True)
    assert len(report.papers) + report.duplicates == 300 and report.skipped == 0
    assert report.duplicates <= 3
    papers = report.papers
    assert all(p.arxiv_id and p.authors and p.categories and p.date for p in papers)
    lengths = sorted(len(p.abstract) for p in papers)
    assert 700 <= lengths[len(lengths) // 2] <= 1900  # arXiv-like: arXiv caps abstracts at 1,920 characters
    assert lengths[-1] <= 1920


def test_generated_text_is_not_copied_from_the_sample(gen):
    sample = list(iter_papers([SAMPLE_CORPUS]))
    sample_titles = {normalise_title(p.title) for p in sample}
    sample_sentences = {s.strip() for p in sample for s in p.abstract.split(". ") if len(s) > 40}
    for rec in gen.generate_records(300):
        assert normalise_title(rec["title"]) not in sample_titles
        assert not any(s.strip() in sample_sentences for s in rec["abstract"].split(". ") if len(s) > 40)


def test_generated_papers_name_things_the_extractor_finds(gen, nlp):
    from kg.extract import extract_papers
    from kg.ingest import parse_records

    papers = list(parse_records(gen.generate_records(20), "synthetic"))
    kinds = set()
    results = 0
    for _, ext in extract_papers(papers, nlp):
        kinds |= {link.kind for link in ext.links}
        results += len(ext.results)
    assert {"proposes", "usesModel", "evaluatedOn", "targetsHardware"} <= kinds
    assert results > 0


def test_generate_command_line(gen, tmp_path, capsys):
    assert gen.main(["25", "-o", str(tmp_path / "c.jsonl"), "--seed", "9"]) == 0
    lines = (tmp_path / "c.jsonl").read_text().splitlines()
    assert len(lines) == 25 and json.loads(lines[0]) == gen.generate_record(0, 9)


def test_growth_exponent(run):
    assert run.growth([1000, 10000, 100000], [1.0, 10.0, 10.0]) == [1.0, 0.0]


def test_parse_timings(run):
    text = "Built graph ...\nTime: setup 0.1s, read+extract 17.1s, store (background) 7.6s\nWrote x"
    assert run.parse_timings(text) == {"setup": 0.1, "read+extract": 17.1, "store (background)": 7.6}


def test_machine_description(run):
    m = run.machine()
    assert m["nproc"] >= 1 and m["cpu"] and m["python"]
    assert m["libraries"]["spacy"] and m["libraries"]["pyoxigraph"]


def test_report_renders_every_section(run):
    def size(n, k):
        return {
            "n": n, "jobs": 2, "corpus_bytes": n * 1000,
            "floor": {"papers_per_s": 2000.0}, "extract": {"papers_per_s": 800.0, "seconds": n / 800},
            "write": {"papers_per_s": 900.0, "seconds": n / 900},
            "build": {"seconds": n / 400 + k, "papers": n, "triples": n * 110, "peak_rss_largest": 3e8,
                      "peak_rss_total": 9e8, "timings": {"read+extract": 1.0}, "graph_ttl_bytes": n * 5000,
                      "graph_html_bytes": 10, "store_bytes": n * 15000},
            "queries": {"leaderboard": {"engine_seconds": 0.1, "rows": 5, "cli_seconds": 0.4},
                        "hardware": {"engine_seconds": 0.2, "rows": 7, "cli_seconds": 0.5},
                        "cli_startup_seconds": 0.2,
                        "more": {"hardware-papers (every platform)": {"engine_seconds": 12.5, "rows": 100}}},
        }

    results = {"date": "2025-01-01", "jobs": 2, "seed": 1, "notes": ["a note"], "machine": run.machine(),
               "sizes": [size(1000, 1), size(10000, 2)]}
    text = run.render(results)
    for heading in ("## Machine", "## Throughput", "## Memory, output", "## Query latency", "## Growth with N",
                    "## Notes"):
        assert heading in text
    assert "| 1,000 |" in text and "**400**" not in text.split("## Throughput")[0]
    assert "| 10,000 | `hardware-papers (every platform)` | 12 s | 100 |" in text
