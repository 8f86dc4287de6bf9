"""`kg build --engine dask`: extraction on a real dask.distributed cluster (two worker processes on loopback).

The graph must be the one a local build makes, byte for byte.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kg.build import build_graph_files
from kg.cli import cli
from kg.errors import KGError

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed: pip install -e '.[dask]'")


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of two single-threaded worker processes on 127.0.0.1, for this module."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40) as c:
        yield c


def test_dask_build_is_the_local_build(tmp_path, cluster, sample_corpus_30):
    local = build_graph_files([sample_corpus_30], tmp_path / "local", html=False, store=tmp_path / "local-store")
    remote = build_graph_files([sample_corpus_30], tmp_path / "dask", html=False, store=tmp_path / "dask-store",
                               engine="dask", scheduler=cluster.scheduler_address, batch_size=4)
    assert remote.papers == local.papers == 30
    assert (tmp_path / "dask" / "graph.ttl").read_bytes() == (tmp_path / "local" / "graph.ttl").read_bytes()


def test_cli_dask_build(tmp_path, cluster, sample_corpus_30):
    r = CliRunner().invoke(cli, ["build", str(sample_corpus_30), "-o", str(tmp_path / "o"), "--no-html",
                                 "--engine", "dask", "--scheduler", cluster.scheduler_address])
    assert r.exit_code == 0, r.output
    assert "Built graph of 30 papers" in r.output


@pytest.mark.parametrize("args, message", [
    (["--engine", "dask"], "Error: --engine dask needs --scheduler ADDRESS"),
    (["--scheduler", "tcp://127.0.0.1:8786"], "Error: --scheduler is for --engine dask"),
])
def test_cli_engine_option_errors(tmp_path, sample_corpus_30, args, message):
    r = CliRunner().invoke(cli, ["build", str(sample_corpus_30), "-o", str(tmp_path / "o"), *args])
    assert r.exit_code == 1
    assert message in r.output and "Traceback" not in r.output


def test_unreachable_scheduler_is_a_clear_error():
    from kg.parallel import DaskEngine

    with pytest.raises(KGError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        DaskEngine("tcp://127.0.0.1:9", timeout=1)
