"""`kg eval`: the project's scorer gives the reference scorer's figures, and reads well."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.evaluate import load_gold, score_graph
from kg.graph import build_graph
from kg.extract import Entity, Link, PaperExtraction, Result
from kg.ingest import Paper

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"


def need_shared():
    if not (SHARED / "score.py").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED} is missing under CI")
        pytest.skip("the shared gold data is not beside this checkout")


def test_same_figures_as_reference_scorer_on_the_sample(sample_graph_path):
    need_shared()
    gold = SHARED / "gold_dev.json"
    ref = subprocess.run([sys.executable, str(SHARED / "score.py"), str(sample_graph_path), str(gold), "--json"],
                         capture_output=True, text=True, check=True)
    reference = json.loads(ref.stdout.strip().splitlines()[-1])
    r = CliRunner().invoke(cli, ["eval", str(gold), "--graph", str(sample_graph_path), "--format", "json"])
    assert r.exit_code == 0, r.output
    ours = json.loads(r.output)
    assert ours == reference


def test_dev_targets_hold_on_the_sample(sample_graph_path):
    need_shared()
    from kg.graph import read_graph

    rep = score_graph(read_graph(sample_graph_path), load_gold(SHARED / "gold_dev.json"))
    assert rep.entity_micro.f1 >= 0.70 and rep.links.f1 >= 0.60 and rep.results.f1 >= 0.40


GOLD = [{
    "id": "t1", "title": "FooNet: Things", "abstract": "...",
    "entities": [
        {"type": "Method", "name": "FooNet", "aliases": [], "relation": "proposes", "also_ok": []},
        {"type": "Dataset", "name": "GSM8K", "aliases": ["GSM-8K"], "relation": "evaluatedOn", "also_ok": ["usesDataset"]},
        {"type": "Model", "name": "GPT-4", "aliases": [], "relation": "usesModel", "also_ok": []},
    ],
    "results": [{"system": "FooNet", "dataset": "GSM8K", "value": 71.5, "unit": "%", "kind": "absolute"}],
    "ignore": ["LLMs"],
}]


def fixture_graph():
    p = Paper(title="FooNet: Things", abstract="...")
    gsm = Entity("Dataset", "gsm-8k", "GSM8K")
    ext = PaperExtraction(links=[
        Link("proposes", Entity("Method", "foonet", "FooNet"), "We propose FooNet.", 0.9, "r"),
        Link("usesDataset", gsm, "Trained on GSM8K.", 0.9, "r"),
        Link("usesMethod", Entity("Method", "llms", "LLMs"), "LLMs are big.", 0.5, "r"),  # ignored
        Link("usesMethod", Entity("Method", "barnet", "BarNet"), "Unlike BarNet, ...", 0.6, "r"),  # false
    ], results=[Result(gsm, "71.5", "%", "absolute", "71.5% on GSM8K", 0.8),
                Result(gsm, "12", "%", "improvement", "12% on GSM8K", 0.8)])
    return build_graph([(p, ext)])


def test_scoring_rules_on_a_fixture():
    rep = score_graph(fixture_graph(), GOLD, verbose=True)
    assert (rep.entities["Method"].tp, rep.entities["Method"].fp) == (1, 1)
    assert (rep.entities["Dataset"].tp, rep.entities["Model"].fn) == (1, 1)
    assert (rep.links.tp, rep.links.fp, rep.links.fn) == (2, 1, 1)  # usesDataset is also ok
    assert (rep.results.tp, rep.results.fp, rep.results.fn) == (1, 1, 0)
    log = "\n".join(rep.log)
    assert "FALSE Method barnet" in log and "Unlike BarNet" in log  # with its evidence sentence
    assert "MISSED Model GPT-4" in log and "FALSE RESULT gsm8k = 12" in log
    assert "llms" not in log


def test_eval_command_table_and_errors(tmp_path):
    from kg.graph import write_graph

    g = tmp_path / "g.ttl"
    write_graph(fixture_graph(), g)
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps(GOLD))
    r = CliRunner().invoke(cli, ["eval", str(gold), "--graph", str(g), "--verbose"])
    assert r.exit_code == 0
    assert "Method" in r.output and "links" in r.output and "MISSED Model GPT-4" in r.output
    r = CliRunner().invoke(cli, ["eval", str(tmp_path / "nope.json"), "--graph", str(g)])
    assert r.exit_code == 1 and r.output.strip() == f"Error: {tmp_path / 'nope.json'}: no such gold file"
    bad = tmp_path / "bad.json"
    bad.write_text("[{\"title\": 1,")
    r = CliRunner().invoke(cli, ["eval", str(bad), "--graph", str(g)])
    assert r.exit_code == 1 and r.output.startswith("Error:") and "bad.json" in r.output
