"""The `kg` command: success and one-line errors for build, validate and stats; committed sample is fresh."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

REPO = Path(__file__).resolve().parent.parent
ABSTRACT = "We propose FooNet, a method evaluated on GSM8K where it reaches 71.5% accuracy. It runs on GPUs."


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)), catch_exceptions=False)


def one_line_error(result, *fragments):
    assert result.exit_code == 1, result.output
    lines = [l for l in result.output.splitlines() if l.startswith("Error:")]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def papers(tmp_path):
    f = tmp_path / "papers.jsonl"
    f.write_text("\n".join(json.dumps({"title": f"FooNet {i}: Study", "abstract": ABSTRACT}) for i in range(3)),
                 encoding="utf-8")
    return f


def test_build_writes_graph_and_html_and_summary(papers, tmp_path):
    out = tmp_path / "out"
    r = run("build", papers, "-o", out)
    assert r.exit_code == 0, r.output
    assert "Built graph of 3 papers" in r.output
    assert (out / "graph.ttl").stat().st_size > 0 and (out / "graph.html").stat().st_size > 0
    assert run("validate", out / "graph.ttl").exit_code == 0


def test_build_warns_and_counts_skipped_records(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps({"title": "Good", "abstract": ABSTRACT}) + "\n" + json.dumps({"title": "Bad"}) + "\n")
    r = run("build", f, "-o", tmp_path / "out")
    assert r.exit_code == 0
    assert "Warning:" in r.output and "p.jsonl:2" in r.output
    assert "Skipped 1 record" in r.output
    r = run("build", f, "-o", tmp_path / "out2", "--strict")
    one_line_error(r, "p.jsonl:2", "no abstract")
    assert not (tmp_path / "out2" / "graph.ttl").exists()


@pytest.mark.parametrize("content,fragments", [
    (None, ["missing.jsonl", "no such file"]),
    (b"", ["bad.jsonl", "empty"]),
    (b"\xff\xfe\xfa", ["bad.jsonl:1", "UTF-8"]),
    (b'{"title": "A", "abstract": "B"}\n{oops\n', ["bad.jsonl:2", "malformed JSON"]),
])
def test_build_errors_are_one_line_and_leave_previous_output(tmp_path, papers, content, fragments):
    out = tmp_path / "out"
    assert run("build", papers, "-o", out).exit_code == 0
    before = (out / "graph.ttl").read_bytes()
    name = "missing.jsonl" if content is None else "bad.jsonl"
    bad = tmp_path / name
    if content is not None:
        bad.write_bytes(content)
    r = run("build", papers, bad, "-o", out)
    one_line_error(r, *fragments)
    assert (out / "graph.ttl").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["graph.html", "graph.ttl", "report.html"]


def test_two_builds_are_byte_identical(papers, tmp_path):
    run("build", papers, "-o", tmp_path / "a")
    run("build", papers, "-o", tmp_path / "b")
    for name in ("graph.ttl", "graph.html"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_committed_sample_matches_a_fresh_build(sample_build):
    for name in ("graph.ttl", "graph.html", "report.html"):
        committed = REPO / "output" / name
        assert committed.exists(), f"output/{name} is not committed; run `kg build`"
        assert committed.read_bytes() == (sample_build / name).read_bytes(), \
            f"output/{name} is stale: run `kg build` and commit output/"


def test_sample_graph_conforms_and_stats(sample_graph_path):
    r = run("validate", sample_graph_path)
    assert r.exit_code == 0 and "conforms" in r.output
    r = run("stats", sample_graph_path)
    assert r.exit_code == 0
    assert "papers   95" in r.output
    assert "usesModel" in r.output and "most linked" in r.output


def test_validate_reports_violations(tmp_path):
    g = tmp_path / "bad.ttl"
    g.write_text("""@prefix kg: <https://w3id.org/paperkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/paperkg/id/paper/x> a kg:Paper ; kg:usesModel <https://w3id.org/paperkg/id/model/y> .
<https://w3id.org/paperkg/id/model/y> a kg:Method .
""")
    r = run("validate", g)
    assert r.exit_code == 1
    assert "title" in r.output and "usesModel must point to a Model" in r.output
    assert "SHACL violation" in r.output


@pytest.mark.parametrize("command", ["validate", "stats"])
def test_graph_commands_on_missing_or_broken_graph(tmp_path, command):
    one_line_error(run(command, tmp_path / "none.ttl"), "none.ttl", "no such graph file")
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is { not turtle")
    one_line_error(run(command, broken), "broken.ttl", "cannot parse")


def test_every_command_is_documented_with_an_example():
    for name, command in cli.commands.items():
        assert command.help and "Example:" in command.help, f"`kg {name}` help lacks an Example"


def test_cli_runs_as_a_program_without_traceback(tmp_path):
    r = subprocess.run([sys.executable, "-m", "kg", "build", str(tmp_path / "nope.json"), "-o", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr.strip().startswith("Error:") and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_graph_commands_do_not_import_spacy(sample_graph_path):
    code = ("import sys\nfrom click.testing import CliRunner\nfrom kg.cli import cli\n"
            f"r = CliRunner().invoke(cli, ['stats', {str(sample_graph_path)!r}])\nassert r.exit_code == 0\n"
            f"r = CliRunner().invoke(cli, ['validate', {str(sample_graph_path)!r}])\nassert r.exit_code == 0\n"
            "print('spacy' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"
