"""The paperkg benchmark: papers/s per stage and end to end, peak memory, output size and query latency at
several corpus sizes, with how each grows with N; results go to bench/RESULTS.md (and results.json).

For each N it generates N synthetic abstracts (bench/generate.py) and measures, each in a fresh process:

* **floor**: spaCy's blank English tokenizer plus the sentencizer over the same texts, on one core; no
  extractor can beat it, so the other rates are also given as a fraction of it;
* **extract**: reading plus extraction alone, with ``--jobs`` worker processes (the extractions are kept
  on disk for the next step);
* **write**: graph writing alone from those extractions, in one process: per-paper triples and their
  Turtle, loading into the Oxigraph store, entity nodes, the VoID description, compaction, the HTML view;
* **build**: ``kg build CORPUS --store DIR --jobs J`` end to end, as a user runs it: wall time, peak RSS
  (largest process, and all processes together), the output sizes;
* **queries**: ``kg query leaderboard --store DIR -p benchmark=GSM8K`` and ``kg query hardware --store DIR``,
  in process on the open store (engine time) and as commands (wall time, Python start-up included).

Usage::

    python bench/run.py --sizes 1000 10000 100000 --jobs 2

The test suite holds no timing assertions; these numbers are for this file and RESULTS.md only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
QUERIES = {
    "leaderboard": ["leaderboard", "-p", "benchmark=GSM8K"],
    "hardware": ["hardware"],
}
# Engine time only, for context: the leaderboard with every row, and the per-paper hardware drill-down.
MORE_QUERIES = {
    "leaderboard -p benchmark=GSM8K --limit 0": ("leaderboard", {"benchmark": "GSM8K"}, 0),
    "hardware-papers -p hardware=A100": ("hardware-papers", {"hardware": "A100"}, None),
    "hardware-papers (every platform)": ("hardware-papers", {}, None),
}


# ------------------------------------------------------------------------------------------- the machine

def machine() -> dict:
    """What the numbers were measured on: CPU, cores, memory, OS, Python and library versions, load."""
    info = {"cores": os.cpu_count(), "python": platform.python_version(), "os": platform.platform()}
    try:
        info["cpu"] = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                           if line.startswith("model name"))
    except (OSError, StopIteration):
        info["cpu"] = platform.processor() or "unknown"
    try:
        info["nproc"] = int(subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip())
    except (OSError, ValueError):
        info["nproc"] = info["cores"]
    try:
        info["memory"] = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    except OSError:
        info["memory"] = "unknown"
    try:
        info["load_average"] = os.getloadavg()
    except OSError:
        info["load_average"] = None
    from importlib.metadata import PackageNotFoundError, version

    libs = {}
    for name in ("paperkg", "spacy", "pyoxigraph", "rdflib", "networkx", "dask", "distributed", "psutil"):
        try:
            libs[name] = version(name)
        except PackageNotFoundError:
            libs[name] = None
    info["libraries"] = libs
    return info


# ------------------------------------------------------------------------------------------- measuring

def _python() -> str:
    return sys.executable


def _kg() -> str:
    exe = Path(sys.executable).with_name("kg")
    return str(exe) if exe.exists() else "kg"


def run_measured(cmd: list[str], cwd: Path = ROOT) -> dict:
    """Run `cmd`, sampling the RSS of its whole process tree; wall time, peak RSS, exit code and output."""
    import psutil

    peak_total = peak_one = 0
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ps = psutil.Process(proc.pid)
    stop = threading.Event()

    def sample():
        nonlocal peak_total, peak_one
        while not stop.is_set():
            try:
                procs = [ps] + ps.children(recursive=True)
                rss = []
                for p in procs:
                    try:
                        rss.append(p.memory_info().rss)
                    except psutil.Error:
                        pass
                peak_total = max(peak_total, sum(rss))
                peak_one = max([peak_one] + rss)
            except psutil.Error:
                pass
            stop.wait(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = proc.communicate()
    stop.set()
    th.join()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command and every process it waited for
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"cmd": cmd, "seconds": wall, "rc": proc.returncode, "stdout": out, "stderr": err,
            "peak_rss_total": peak_total, "peak_rss_largest": peak_one, "cpu_seconds": cpu,
            "load_after": os.getloadavg()[0]}


def _json_of(res: dict) -> dict:
    if res["rc"] != 0:
        raise RuntimeError(f"{' '.join(res['cmd'])} failed ({res['rc']}):\n{res['stderr'][-3000:]}")
    return json.loads(res["stdout"].strip().splitlines()[-1])


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def parse_timings(text: str) -> dict:
    """The ``Time: stage 1.2s, ...`` line `kg build` prints for store builds, as a dict."""
    m = re.search(r"^Time: (.*)$", text, re.M)
    if not m:
        return {}
    return {k.strip(): float(v) for k, v in re.findall(r"([^,]+?) ([0-9.]+)s", m.group(1))}


def growth(sizes: list[int], values: list[float]) -> list[float | None]:
    """The exponent b in value ~ N^b between each pair of successive sizes (1 = linear, 0 = flat).

    >>> [round(x, 2) for x in growth([1000, 10000], [2.0, 20.0])]
    [1.0]
    >>> growth([1000, 10000], [0, 5])
    [None]
    """
    out = []
    for (n1, v1), (n2, v2) in zip(zip(sizes, values), zip(sizes[1:], values[1:])):
        out.append(math.log(v2 / v1) / math.log(n2 / n1) if v1 and v2 and v1 > 0 and v2 > 0 else None)
    return out


def measure_size(n: int, jobs: int, work: Path, seed: int, queries: bool = True) -> dict:
    """Every measurement at one corpus size."""
    sys.path.insert(0, str(HERE))
    from generate import write_corpus

    corpus = work / f"papers-{n}.jsonl"
    if not corpus.exists():
        write_corpus(corpus, n, seed)
    here = str(Path(__file__).resolve())
    r: dict = {"n": n, "jobs": jobs, "corpus_bytes": corpus.stat().st_size}
    print(f"[{n}] floor ...", file=sys.stderr, flush=True)
    r["floor"] = _json_of(run_measured([_python(), here, "_floor", str(corpus)]))
    print(f"[{n}] extract ...", file=sys.stderr, flush=True)
    ext_file = work / f"extractions-{n}.pickle"
    res = run_measured([_python(), here, "_extract", str(corpus), str(ext_file), "--jobs", str(jobs)])
    r["extract"] = _json_of(res) | {"peak_rss_total": res["peak_rss_total"], "cpu_seconds": res["cpu_seconds"]}
    print(f"[{n}] write ...", file=sys.stderr, flush=True)
    wdir = work / f"write-{n}"
    shutil.rmtree(wdir, ignore_errors=True)
    res = run_measured([_python(), here, "_write", str(corpus), str(ext_file), str(wdir)])
    r["write"] = _json_of(res) | {"peak_rss_largest": res["peak_rss_largest"], "cpu_seconds": res["cpu_seconds"]}
    ext_file.unlink(missing_ok=True)
    shutil.rmtree(wdir, ignore_errors=True)
    print(f"[{n}] kg build ...", file=sys.stderr, flush=True)
    store, out = work / f"store-{n}", work / f"out-{n}"
    shutil.rmtree(store, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    res = run_measured([_kg(), "build", str(corpus), "--store", str(store), "-o", str(out), "--jobs", str(jobs)])
    if res["rc"] != 0:
        raise RuntimeError(f"kg build failed:\n{res['stderr'][-3000:]}")
    papers = int(re.search(r"Built graph of (\d+) papers", res["stdout"]).group(1))
    triples = int(re.search(r"(\d+) triples\.", res["stdout"]).group(1))
    r["build"] = {"seconds": res["seconds"], "papers": papers, "triples": triples, "cpu_seconds": res["cpu_seconds"],
                  "load_after": res["load_after"],
                  "peak_rss_largest": res["peak_rss_largest"], "peak_rss_total": res["peak_rss_total"],
                  "timings": parse_timings(res["stdout"]), "summary": res["stdout"].strip(),
                  "graph_ttl_bytes": (out / "graph.ttl").stat().st_size,
                  "graph_html_bytes": (out / "graph.html").stat().st_size if (out / "graph.html").exists() else 0,
                  "store_bytes": dir_size(store)}
    if queries:
        print(f"[{n}] queries ...", file=sys.stderr, flush=True)
        r["queries"] = _json_of(run_measured([_python(), here, "_queries", str(store)]))
        for name, args in QUERIES.items():
            walls = []
            for _ in range(3):
                q = run_measured([_kg(), "query", *args, "--store", str(store), "--format", "csv"])
                if q["rc"] != 0:
                    raise RuntimeError(f"kg query {name} failed:\n{q['stderr'][-2000:]}")
                walls.append(q["seconds"])
            r["queries"][name]["cli_seconds"] = statistics.median(walls)
        start = run_measured([_kg(), "query", "--list"])
        r["queries"]["cli_startup_seconds"] = start["seconds"]
    shutil.rmtree(out, ignore_errors=True)
    if not os.environ.get("PAPERKG_BENCH_KEEP"):
        shutil.rmtree(store, ignore_errors=True)
    return r


# ------------------------------------------------------------------------------------------- sub-commands

def _papers(corpus: Path):
    from kg.ingest import iter_papers

    return iter_papers([corpus])


def cmd_floor(corpus: Path) -> dict:
    import spacy

    from kg.extract import paper_text

    texts = [paper_text(p) for p in _papers(corpus)]
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    t0 = time.perf_counter()
    sentences = 0
    for doc in nlp.pipe(texts, batch_size=256):
        sentences += sum(1 for _ in doc.sents)
    dt = time.perf_counter() - t0
    return {"papers": len(texts), "seconds": dt, "papers_per_s": len(texts) / dt, "sentences": sentences}


def cmd_extract(corpus: Path, out: Path, jobs: int) -> dict:
    from kg.build import BATCH_SIZE
    from kg.parallel import batched, make_engine

    t0 = time.perf_counter()
    n = 0
    with make_engine(jobs) as eng, open(out, "wb") as fh:
        for pairs in eng.map(batched(_papers(corpus), BATCH_SIZE)):
            n += len(pairs)
            pickle.dump([e for _, e in pairs], fh, protocol=pickle.HIGHEST_PROTOCOL)
    dt = time.perf_counter() - t0
    return {"papers": n, "seconds": dt, "papers_per_s": n / dt}


class ReplayEngine:
    """An extraction engine that hands back extractions saved by `cmd_extract` (no spaCy): for timing the
    graph writing alone. Its per-paper triples are made here, in this one process."""

    workers = 1

    def __init__(self, path: Path):
        self.fh = open(path, "rb")
        self.buffer: list = []

    def _take(self, k: int) -> list:
        while len(self.buffer) < k:
            self.buffer.extend(pickle.load(self.fh))
        got, self.buffer = self.buffer[:k], self.buffer[k:]
        return got

    def map(self, batches, triples: bool = False):
        from kg.build import batch_output

        for batch in batches:
            exts = self._take(len(batch))
            pairs = list(zip(batch, exts))
            yield (pairs, batch_output(batch, exts)) if triples else pairs

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()


def cmd_write(corpus: Path, extractions: Path, work: Path) -> dict:
    import kg.build

    t0 = time.perf_counter()
    with ReplayEngine(extractions) as eng:
        summary = kg.build.build_graph_files([corpus], work / "out", store=work / "store", engine=eng)
    dt = time.perf_counter() - t0
    return {"papers": summary.papers, "seconds": dt, "papers_per_s": summary.papers / dt,
            "timings": summary.timings}


def cmd_queries(store: Path) -> dict:
    from kg.query import open_store, run_query

    t0 = time.perf_counter()
    st = open_store(store=store)
    opened = time.perf_counter() - t0
    out: dict = {"open_seconds": opened}
    for name, args in QUERIES.items():
        params = dict(a.split("=", 1) for a in args[2::2]) if len(args) > 1 else {}
        times, rows = [], 0
        for _ in range(3):
            t = time.perf_counter()
            res = run_query(name, params, store=st)
            times.append(time.perf_counter() - t)
            rows = len(res)
        out[name] = {"engine_seconds": statistics.median(times), "first_seconds": times[0], "rows": rows}
    more = out["more"] = {}
    for label, (name, params, limit) in MORE_QUERIES.items():
        times = []
        for _ in range(3):
            t = time.perf_counter()
            res = run_query(name, params, store=st, limit=limit)
            times.append(time.perf_counter() - t)
        more[label] = {"engine_seconds": statistics.median(times), "rows": len(res)}
    return out


# ------------------------------------------------------------------------------------------- the report

def _mb(b) -> str:
    return f"{b / 2**20:,.0f} MB"


def _s(x) -> str:
    return f"{x:.2f} s" if x < 10 else f"{x:.0f} s"


def _exp(values) -> str:
    return ", ".join("–" if g is None else f"{g:+.2f}" for g in values)


def render(results: dict) -> str:
    """RESULTS.md from the measurements."""
    m = results["machine"]
    rows = results["sizes"]
    sizes = [r["n"] for r in rows]
    libs = ", ".join(f"{k} {v}" for k, v in m["libraries"].items() if v)
    load = m.get("load_average")
    lines = [
        "# paperkg benchmark results",
        "",
        f"Measured {results['date']} with `python bench/run.py --sizes {' '.join(map(str, sizes))} "
        f"--jobs {results['jobs']}` on synthetic abstracts from `bench/generate.py` (seed {results['seed']}).",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, `nproc` = {m['nproc']}",
        f"- OS: {m['os']}; Python {m['python']}",
        f"- Libraries: {libs}",
        f"- Load average when the run started: {', '.join(f'{x:.2f}' for x in load) if load else 'unknown'} "
        "(the machine is shared: other jobs ran during parts of the run, so wall times are upper bounds)",
        "- Memory (`free -h`):",
        "",
        "```",
        m["memory"],
        "```",
        "",
        "## Throughput (papers/s)",
        "",
        "| N | floor: blank tokenizer + sentencizer, 1 core | extraction alone, "
        f"{results['jobs']} processes | graph writing alone, 1 process | `kg build --store` end to end | "
        "end to end / floor | extraction per process / floor |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        e2e = r["build"]["papers"] / r["build"]["seconds"]
        lines.append(f"| {r['n']:,} | {r['floor']['papers_per_s']:,.0f} | {r['extract']['papers_per_s']:,.0f} | "
                     f"{r['write']['papers_per_s']:,.0f} | **{e2e:,.0f}** | {e2e / r['floor']['papers_per_s']:.3f} | "
                     f"{r['extract']['papers_per_s'] / r['jobs'] / r['floor']['papers_per_s']:.3f} |")
    cores = m["nproc"] or 1
    lines += [
        "",
        f"CPU time of `kg build` (all its processes) and the rate it allows on {cores} cores with no other "
        "load (papers / (CPU seconds / cores)), with the 1-minute load average at its end:",
        "",
        "| N | CPU seconds | ms CPU per paper | CPU-bound rate on all cores | load average at end |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        b = r["build"]
        if "cpu_seconds" in b:
            lines.append(f"| {r['n']:,} | {b['cpu_seconds']:,.0f} | {1000 * b['cpu_seconds'] / b['papers']:.2f} | "
                         f"{b['papers'] / (b['cpu_seconds'] / cores):,.0f} | {b.get('load_after', 0):.2f} |")
    lines += [
        "",
        "Extraction alone includes reading and parsing the JSON Lines. Graph writing alone starts from saved",
        "extractions and does everything after extraction in one process: per-paper triples and their Turtle,",
        "loading into Oxigraph, entity nodes, VoID description, compaction, HTML view (and, up to 2,000 papers,",
        "research areas and report.html).",
        "",
        "## Memory, output and time per stage of `kg build`",
        "",
        "| N | wall | peak RSS, largest process | peak RSS, all processes | graph.ttl | store | triples |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        b = r["build"]
        lines.append(f"| {r['n']:,} | {_s(b['seconds'])} | {_mb(b['peak_rss_largest'])} | {_mb(b['peak_rss_total'])} "
                     f"| {_mb(b['graph_ttl_bytes'])} | {_mb(b['store_bytes'])} | {b['triples']:,} |")
    lines += ["", "Stage times reported by `kg build` (main process; `store (background)` runs in a loader "
              "thread alongside):", "", "```"]
    for r in rows:
        lines.append(f"N={r['n']:>7,}: " + ", ".join(f"{k} {v:.1f}s" for k, v in r["build"]["timings"].items()))
    lines += ["```", ""]
    if all("queries" in r for r in rows):
        lines += [
            "## Query latency on the store",
            "",
            "| N | leaderboard (GSM8K): engine | rows | CLI wall | hardware landscape: engine | rows | CLI wall "
            "| `kg query --list` (CLI start-up) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            q = r["queries"]
            lb, hw = q["leaderboard"], q["hardware"]
            lines.append(f"| {r['n']:,} | {_s(lb['engine_seconds'])} | {lb['rows']:,} | {_s(lb['cli_seconds'])} | "
                         f"{_s(hw['engine_seconds'])} | {hw['rows']:,} | {_s(hw['cli_seconds'])} | "
                         f"{_s(q['cli_startup_seconds'])} |")
        lines += ["", "Engine time: `kg.query.run_query` on the open store, median of 3 (first run included in "
                  "results.json). CLI wall: `kg query ... --store DIR --format csv`, median of 3. The leaderboard "
                  "shows its best 100 rows by default (`--limit`); the hardware landscape has a row per platform.",
                  ""]
        more = [(r["n"], label, q) for r in rows for label, q in r["queries"].get("more", {}).items()]
        if more:
            lines += ["Other queries, for context (engine time, median of 3):", "",
                      "| N | query | engine | rows |", "|---:|---|---:|---:|"]
            lines += [f"| {n:,} | `{label}` | {_s(q['engine_seconds'])} | {q['rows']:,} |" for n, label, q in more]
            lines.append("")
    if len(rows) > 1:
        pairs = [f"{a:,}→{b:,}" for a, b in zip(sizes, sizes[1:])]
        lines += [
            "## Growth with N",
            "",
            f"Exponent b in value ∝ N^b between successive sizes ({', '.join(pairs)}): 0 is flat, 1 linear.",
            "",
            "| measure | exponent |",
            "|---|---:|",
            f"| `kg build` wall time | {_exp(growth(sizes, [r['build']['seconds'] for r in rows]))} |",
            f"| extraction time | {_exp(growth(sizes, [r['extract']['seconds'] for r in rows]))} |",
            f"| graph writing time | {_exp(growth(sizes, [r['write']['seconds'] for r in rows]))} |",
            f"| peak RSS, largest process | {_exp(growth(sizes, [r['build']['peak_rss_largest'] for r in rows]))} |",
            f"| peak RSS, all processes | {_exp(growth(sizes, [r['build']['peak_rss_total'] for r in rows]))} |",
            f"| store size | {_exp(growth(sizes, [r['build']['store_bytes'] for r in rows]))} |",
            f"| graph.ttl size | {_exp(growth(sizes, [r['build']['graph_ttl_bytes'] for r in rows]))} |",
        ]
        if all("queries" in r for r in rows):
            lines += [
                f"| leaderboard query (engine) | "
                f"{_exp(growth(sizes, [r['queries']['leaderboard']['engine_seconds'] for r in rows]))} |",
                f"| hardware query (engine) | "
                f"{_exp(growth(sizes, [r['queries']['hardware']['engine_seconds'] for r in rows]))} |",
            ]
        lines.append("")
    if results.get("notes"):
        lines += ["## Notes", ""] + [f"- {n}" for n in results["notes"]] + [""]
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].startswith("_"):  # a measurement in this fresh process
        cmd, args = argv[0], argv[1:]
        if cmd == "_floor":
            got = cmd_floor(Path(args[0]))
        elif cmd == "_extract":
            got = cmd_extract(Path(args[0]), Path(args[1]), int(args[3]))
        elif cmd == "_write":
            got = cmd_write(Path(args[0]), Path(args[1]), Path(args[2]))
        elif cmd == "_queries":
            got = cmd_queries(Path(args[0]))
        else:
            raise SystemExit(f"unknown sub-command {cmd}")
        print(json.dumps(got))
        return 0
    ap = argparse.ArgumentParser(description="Benchmark paperkg at several corpus sizes; write bench/RESULTS.md.")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--jobs", type=int, default=2, help="extraction processes for extract and kg build")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--work", type=Path, default=Path("/tmp/paperkg-bench"), help="scratch directory")
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--json", type=Path, default=HERE / "results.json")
    ap.add_argument("--render", action="store_true", help="only re-render RESULTS.md from --json")
    ap.add_argument("--note", action="append", default=[], help="a line for the Notes section")
    args = ap.parse_args(argv)
    if args.render:
        results = json.loads(args.json.read_text())
        results["notes"] = results.get("notes", []) + args.note
    else:
        sys.path.insert(0, str(HERE))
        from generate import DEFAULT_SEED

        seed = args.seed if args.seed is not None else DEFAULT_SEED
        args.work.mkdir(parents=True, exist_ok=True)
        results = {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "jobs": args.jobs, "seed": seed,
                   "sizes": [], "notes": args.note}
        for n in sorted(args.sizes):
            results["sizes"].append(measure_size(n, args.jobs, args.work, seed))
            args.json.write_text(json.dumps(results, indent=1, default=str))  # keep what is done so far
    args.json.write_text(json.dumps(results, indent=1, default=str))
    args.out.write_text(render(results))
    print(f"Wrote {args.out} and {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
