"""The exported graph in a real triple store: Virtuoso (Debian's virtuoso-opensource) answers every canned
query with the same rows as the local graph.

The test starts its own `virtuoso-t` on free loopback ports with its own config and database in a temp
directory, loads the Turtle export with the bulk loader (`ld_dir` + `rdf_loader_run` over `isql-vt`), runs
each query of `kg query --list` with `kg query NAME --endpoint URL --format json` (CONSTRUCT queries as
N-Triples), compares with the same query on the local graph, and stops the server by its pid. Skipped when
Virtuoso is not installed, except under CI=true, where that fails.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.cli import cli
from kg.query import list_queries

STARTUP_TIMEOUT = 45  # seconds; a cold start takes 3-6 s on a quiet machine
GRAPH_IRI = "https://w3id.org/paperkg/id/graph"

INI = """\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
CheckpointInterval = 0
CaseMode           = 2
DirsAllowed        = ., {d}
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
MaxClientConnections = 4
ServerThreads      = 4

[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = {d}
ServerThreads      = 4
MaxClientConnections = 4
Charset            = UTF-8

[SPARQL]
ResultSetMaxRows      = 100000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 0
"""


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is not installed; .ci/run must install virtuoso-opensource")
        pytest.skip(f"{name} is not installed (Debian: virtuoso-opensource)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"virtuoso-t exited with {proc.returncode}:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"virtuoso-t did not listen on {port} within {timeout}s:\n{log.read_text(errors='replace')[-2000:]}")


def isql(isql_bin: str, port: int, sql: str) -> str:
    r = subprocess.run([isql_bin, f"127.0.0.1:{port}", "dba", "dba", f"exec={sql}"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and "*** Error" not in r.stdout + r.stderr, r.stdout + r.stderr
    return r.stdout


def sparql_count(endpoint: str) -> int:
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_IRI}> {{ ?s ?p ?o }} }}"
    req = urllib.request.Request(endpoint, data=urllib.parse.urlencode({"query": q}).encode(),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return int(json.load(resp)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory, sample_graph_path, sample_graph):
    """A private Virtuoso with the sample graph loaded; yields a `Server` with its SPARQL endpoint URL."""
    server = require_tool("virtuoso-t")
    isql_bin = require_tool("isql-vt")
    d = tmp_path_factory.mktemp("virtuoso")
    data = d / "data"
    data.mkdir()
    assert CliRunner().invoke(cli, ["export", "-g", str(sample_graph_path), "-f", "turtle",
                                    "-o", str(data / "graph.ttl")]).exit_code == 0
    sql_port, http_port = free_port(), free_port()
    ini = d / "virtuoso.ini"
    ini.write_text(INI.format(d=d, sql_port=sql_port, http_port=http_port))
    log = d / "server.out"
    with log.open("wb") as out:
        proc = subprocess.Popen([server, "+foreground", "+configfile", str(ini)], cwd=d, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(http_port, proc, log, STARTUP_TIMEOUT)
        wait_for_port(sql_port, proc, log, STARTUP_TIMEOUT)
        isql(isql_bin, sql_port, f"ld_dir('{data}', 'graph.ttl', '{GRAPH_IRI}'); rdf_loader_run(); checkpoint;")
        status = isql(isql_bin, sql_port, "select ll_state, ll_error from DB.DBA.load_list;")
        assert "NULL" in status and "2 " in status, status  # state 2 = loaded, no error
        endpoint = f"http://127.0.0.1:{http_port}/sparql"
        assert sparql_count(endpoint) == len(sample_graph)
        yield Server(endpoint)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


class Server:
    """The endpoint, and whether a query has wedged the server (Virtuoso 7.2 can hang on a query, and then
    answers nothing more): the later tests fail at once instead of each waiting for a timeout."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.wedged_by: str | None = None


def kg_query(name: str, source: list[str], fmt: str, server: Server | None = None) -> str:
    if server is not None and server.wedged_by:
        pytest.fail(f"Virtuoso stopped answering after query {server.wedged_by!r}")
    r = CliRunner().invoke(cli, ["query", name, *source, "--format", fmt])
    if server is not None and "timed out" in r.output:
        server.wedged_by = name
    assert r.exit_code == 0, r.output
    return r.output


def canonical_rows(doc: dict) -> list[str]:
    """The rows as sorted JSON lines: engines may order ties differently, never rows themselves."""
    return sorted(json.dumps(row, sort_keys=True, ensure_ascii=False) for row in doc["rows"])


QUERIES = [(q.name, q.form) for q in list_queries()]


def test_the_queries_compared_are_those_kg_query_lists():
    r = CliRunner().invoke(cli, ["query", "--list"])
    listed = [line.split()[0] for line in r.output.splitlines() if line and not line[0].isspace()]
    assert listed == [name for name, _ in QUERIES]


@pytest.mark.parametrize("name,form", QUERIES, ids=[n for n, _ in QUERIES])
def test_virtuoso_answers_every_canned_query_like_the_local_graph(virtuoso, sample_graph_path, name, form):
    local_src, remote_src = ["--graph", str(sample_graph_path)], ["--endpoint", virtuoso.endpoint]
    if form != "SELECT":  # CONSTRUCT: compare the graphs
        local = Graph().parse(data=kg_query(name, local_src, "nt"), format="nt")
        remote = Graph().parse(data=kg_query(name, remote_src, "nt", virtuoso), format="nt")
        assert len(local) > 0, f"{name}: the sample gives an empty graph; the comparison would prove nothing"
        if not isomorphic(local, remote):
            _, only_local, only_remote = graph_diff(to_isomorphic(local), to_isomorphic(remote))
            pytest.fail(f"{name}: {len(only_local)} triples only local, {len(only_remote)} only on Virtuoso:\n"
                        + "\n".join([f"- {t}" for t in sorted(only_local)[:5]]
                                    + [f"+ {t}" for t in sorted(only_remote)[:5]]))
        return
    local = json.loads(kg_query(name, local_src, "json"))
    remote = json.loads(kg_query(name, remote_src, "json", virtuoso))
    assert local["columns"] == remote["columns"]
    assert local["rows"], f"{name}: the sample gives no rows; the comparison would prove nothing"
    lrows, rrows = canonical_rows(local), canonical_rows(remote)
    if lrows != rrows:
        only_l = [r for r in lrows if r not in rrows][:5]
        only_r = [r for r in rrows if r not in lrows][:5]
        pytest.fail(f"{name}: {len(lrows)} local rows, {len(rrows)} on Virtuoso\nonly local:\n"
                    + "\n".join(only_l) + "\nonly on Virtuoso:\n" + "\n".join(only_r))
