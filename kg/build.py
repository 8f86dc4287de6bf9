"""`kg build`: ingest -> extract -> graph -> files, written atomically (no half-written output).

Two ways through, chosen by the input's size and the options:

* **In memory** (the default for inputs up to `SMALL_INPUT` papers, without ``--store``): one rdflib graph,
  serialised with rdflib's Turtle writer (readable, with the project's prefixes), research areas, a VoID
  description, the HTML view and report.
* **Through a store** (``--store DIR``, or any input bigger than `SMALL_INPUT` papers, then in a temporary
  store): papers are read, extracted and written in batches of `BATCH_SIZE`, never all held at once. Each
  batch's paper, link and result triples go straight into an on-disk Oxigraph store; only the entity tables
  (which grow with distinct entities, not papers) stay in memory, and the entity nodes are written at the
  end. ``graph.ttl`` is dumped by Oxigraph, the HTML view shows a bounded piece of the graph. ``--update``
  adds papers to an existing store without redoing the ones it has.

Extraction runs in this process, in ``--jobs`` worker processes, or on a Dask cluster (``--engine dask``);
the graph is the same whichever does it.
"""

from __future__ import annotations

import itertools
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph

from . import __version__
from .errors import GraphError, InputError, KGError
from .ingest import IngestReport, iter_papers, normalise_title

__all__ = ["build_graph_files", "BuildSummary", "batch_output", "paper_keys", "SMALL_INPUT", "BATCH_SIZE",
           "POSTPROCESS_LIMIT"]

SMALL_INPUT = 2_000  # papers: bigger inputs go through a store even without --store
BATCH_SIZE = 256  # papers read, extracted and written together
POSTPROCESS_LIMIT = 2_000  # papers: up to this many, a store build also gets research areas and report.html
VIEW_PAPERS = 300  # papers in the HTML view of a store build
_RDF_TYPE = str(RDF.type)
WRITE_PAPERS = 1_000  # papers whose triples are loaded into the store at once


@dataclass
class BuildSummary:
    papers: int = 0
    triples: int = 0
    links: int = 0
    results: int = 0
    entities: dict = field(default_factory=dict)
    skipped: int = 0
    duplicates: int = 0
    warnings: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    seconds: float = 0.0
    store: Path | None = None  # the store written, for store builds
    added: int | None = None  # papers added by this build (store builds)
    already: int = 0  # papers skipped by --update because the store had them
    timings: dict = field(default_factory=dict)  # stage -> seconds (store builds)
    notes: list = field(default_factory=list)

    def describe(self) -> str:
        ents = ", ".join(f"{n} {t}" for t, n in self.entities.items())
        lines = [f"Built graph of {self.papers} papers in {self.seconds:.1f}s: {ents}; "
                 f"{self.links} links, {self.results} results, {self.triples} triples."]
        if self.store is not None:
            lines.append(f"Store {self.store}: added {self.added} paper(s)"
                         + (f"; {self.already} already there, left as they were." if self.already else "."))
        if self.skipped or self.duplicates:
            lines.append(f"Skipped {self.skipped} record(s) without title or abstract; merged {self.duplicates} duplicate(s).")
        if self.timings:
            lines.append("Time: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items()))
        lines += self.notes
        lines += [f"Wrote {p}" for p in self.outputs]
        return "\n".join(lines)


def _remove_stale_temps(out: Path) -> None:
    """Delete temp files a killed build left (``.graph.ttl.XXXXXXXX.tmp`` from `kg.graph.atomic_write`)."""
    if out.is_dir():
        for f in out.glob(".graph.*.tmp"):
            if re.fullmatch(r"\.graph\.(ttl|html)\.[A-Za-z0-9_]{8}\.tmp", f.name) and f.is_file():
                f.unlink(missing_ok=True)


def paper_keys(paper) -> tuple[str, ...]:
    """The keys `kg.ingest.iter_papers` treats a paper as a duplicate by: its identity and its title."""
    return tuple(dict.fromkeys((paper.key, f"title:{normalise_title(paper.title)}")))


def _estimate_total(files) -> int | None:
    """A quick count of the records in the input files, for the progress bar (None if unknown)."""
    total = 0
    for f in files:
        try:
            with open(f, "rb") as fh:
                head = fh.read(1 << 16).lstrip()
                fh.seek(0)
                if head.startswith(b"{"):
                    total += sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 22), b""))
                elif head.startswith(b"["):
                    total += sum(chunk.count(b'"abstract"') for chunk in iter(lambda: fh.read(1 << 22), b""))
                else:
                    return None
        except OSError:
            return None
    return total or None


def _check_options(store, update, jobs, engine, scheduler, batch_size) -> None:
    if update and store is None:
        raise KGError("--update needs --store DIR: the store to add the papers to")
    if jobs is not None and jobs < 1:
        raise KGError(f"--jobs must be at least 1, not {jobs}")
    if batch_size < 1:
        raise KGError(f"batch size must be at least 1, not {batch_size}")
    if isinstance(engine, str):  # else an engine object (see kg.parallel.Engine) the caller set up
        if engine not in ("local", "dask"):
            raise KGError(f"unknown engine {engine!r}; use local or dask")
        if engine == "dask" and not scheduler:
            raise KGError("--engine dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
        if engine != "dask" and scheduler:
            raise KGError("--scheduler is for --engine dask; add --engine dask")
    if store is not None:
        store = Path(store)
        if store.exists() and not store.is_dir():
            raise GraphError(f"{store}: is a file, not a store directory")
        if store.is_dir() and any(store.iterdir()):
            from .store import is_paperkg_store

            if not is_paperkg_store(store):
                raise GraphError(f"{store}: exists and is not a paperkg store; give a new or empty directory")


def build_graph_files(inputs, out: Path, strict: bool = False, html: bool = True, *, store: Path | None = None,
                      update: bool = False, jobs: int | None = None, engine="local",
                      scheduler: str | None = None, batch_size: int = BATCH_SIZE, progress=None) -> BuildSummary:
    """Build the graph of `inputs` (or the bundled sample) into `out`/graph.ttl and graph.html.

    With `store`, the graph is (also) written to an on-disk Oxigraph store at that directory, replacing
    any store there, or, with `update`, adding to it the papers it does not have yet. `jobs` worker
    processes extract (default: 1 for small inputs, every CPU for big ones); `engine` "dask" sends the
    extraction to the Dask scheduler at `scheduler` instead (or give a `kg.parallel.Engine` object).
    `progress` is a `kg.progress.Progress`.
    """
    from .parallel import default_jobs, make_engine

    t0 = time.perf_counter()
    _check_options(store, update, jobs, engine, scheduler, batch_size)
    report = IngestReport()
    papers = iter_papers(inputs, strict=strict, report=report)
    head = list(itertools.islice(papers, SMALL_INPUT + 1))
    if not head:
        where = ", ".join(str(f) for f in report.files) or "input"
        raise InputError(where, "no usable papers (every record lacked a title or abstract)")
    big = len(head) > SMALL_INPUT
    if jobs is None:
        jobs = default_jobs() if big else 1
    if progress is not None and progress.enabled:
        progress.set_total(_estimate_total(report.files) if big else len(head))
    out = Path(out)
    _remove_stale_temps(out)
    # Worker processes are started before any store is open: a forked child must not inherit its threads.
    with (make_engine(jobs, engine, scheduler) if isinstance(engine, str) else engine) as eng:
        if store is None and not big:
            summary = _build_in_memory(head, out, html, report, eng, batch_size, progress)
        else:
            summary = _build_through_store(itertools.chain(head, papers), out, html, report, eng, batch_size,
                                           progress, store=None if store is None else Path(store), update=update)
    summary.skipped, summary.duplicates = report.skipped, report.duplicates
    summary.warnings = list(report.warnings)
    summary.seconds = time.perf_counter() - t0
    return summary


# ------------------------------------------------------------------------------------------ in memory

def _build_in_memory(papers, out: Path, html: bool, report, eng, batch_size, progress) -> BuildSummary:
    from .graph import GraphBuilder, write_graph
    from .parallel import batched

    builder = GraphBuilder()
    for pairs in eng.map(batched(papers, batch_size)):
        for paper, extraction in pairs:
            builder.add(paper, extraction)
        if progress is not None:
            progress.update(len(pairs))
    if progress is not None:
        progress.close()
    g = builder.graph()
    _postprocess(g, report.files)
    ttl = out / "graph.ttl"
    write_graph(g, ttl)
    outputs = [ttl]
    if html:
        outputs += _write_pages(g, out, report=True)
    return _summary_of_graph(g, outputs)


def _postprocess(g, files, sources=None) -> None:
    """Research areas and the VoID description, added to `g` (as every small build has them)."""
    from .analyze import add_topics
    from .void import add_void, describe_graph, is_description

    add_topics(g)  # research areas (kg:Topic, kg:inTopic) go into the graph so queries and the view see them
    if sources is None:
        add_void(g, files=files, version=__version__)
    else:  # a store's sources: every file it was built and updated from
        description = describe_graph(g, sources, __version__)
        for t in [t for t in g if is_description(t)]:
            g.remove(t)
        g += description


def _write_pages(g, out: Path, report: bool) -> list:
    from .view import write_html

    write_html(g, out / "graph.html", report_href="report.html" if report else None)
    outputs = [out / "graph.html"]
    if report:
        from .report import write_report

        write_report(g, out / "report.html", graph_href="graph.html")
        outputs.append(out / "report.html")
    return outputs


def _summary_of_graph(g, outputs) -> BuildSummary:
    from .stats import graph_stats

    st = graph_stats(g)
    return BuildSummary(papers=st.papers, triples=len(g), links=sum(st.links.values()), results=st.results,
                        entities=dict(st.entities), outputs=outputs)


# ------------------------------------------------------------------------------------------ through a store

class _Clock:
    """Seconds spent per stage, summed over the batches."""

    def __init__(self):
        self.t: dict[str, float] = {}
        self._mark = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.t[stage] = self.t.get(stage, 0.0) + now - self._mark
        self._mark = now


def _prepare_store_dir(target: Path, update: bool) -> Path:
    """A fresh working directory beside `target`; for an update, a checkpoint copy of `target` (hard links)."""
    import sqlite3

    from .store import STATE_FILE, is_paperkg_store, open_store

    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.with_name(f".{target.name}.building")
    if work.exists():  # left by a killed build
        shutil.rmtree(work)
    if update and is_paperkg_store(target):
        st = open_store(target)
        try:
            st.backup(str(work))
        finally:
            del st
        src = sqlite3.connect(str(target / STATE_FILE))
        dst = sqlite3.connect(str(work / STATE_FILE))
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
    return work


def batch_output(papers, extractions) -> dict:
    """What a worker makes of a batch besides the extractions: the papers' own triples as Turtle without
    its @prefix header (for graph.ttl, and for the store: a third the size of N-Triples to send back, and
    as fast to load), and their VoID counts.

    Metric nodes are shared between papers, so their triples are handed back apart (``metric``) to be
    counted once; every other subject belongs to one paper.
    """
    import pyoxigraph as ox

    from .graph import GraphBuilder, ntriples
    from .store import TURTLE_PREFIXES
    from .vocab import KGR

    # the same author or category twice gives the same triple twice; a triple is counted once
    triples = list(dict.fromkeys(t for paper, ext in zip(papers, extractions)
                                 for t in GraphBuilder.paper_triples(paper, ext)))
    text = ntriples(triples)
    turtle = ox.serialize(ox.parse(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE,
                          prefixes=TURTLE_PREFIXES).decode("utf-8")
    turtle = turtle[_header_end(turtle):]
    metric_space = f"{KGR}metric/"
    metric = [t for t in triples if t[0].startswith(metric_space)]
    own = [t for t in triples if not t[0].startswith(metric_space)] if metric else triples
    properties = Counter(t[1] for t in own)
    classes = Counter(t[2] for t in own if t[1] == _RDF_TYPE)
    subjects = {t[0] for t in own}
    return {"turtle": turtle, "properties": properties, "classes": classes,
            "subjects": len(subjects), "metric": sorted(set(metric), key=repr)}


def _header_end(turtle: str) -> int:
    """Where the @prefix lines Oxigraph writes at the top of its Turtle end."""
    i = 0
    while turtle.startswith("@prefix ", i):
        i = turtle.index("\n", i) + 1
    return i


class _Counts:
    """The VoID counts of a store (see `kg.void.count_graph`), kept up to date as triples are written."""

    def __init__(self, saved: dict | None = None):
        saved = saved or {}
        self.properties = Counter(saved.get("properties", {}))
        self.classes = Counter(saved.get("classes", {}))
        self.subjects = saved.get("subjects", 0)

    def add(self, triple, sign: int = 1) -> None:
        s, p, o = triple
        self.properties[p] += sign
        if p == _RDF_TYPE:
            self.classes[o] += sign

    def add_batch(self, output: dict) -> None:
        self.properties.update(output["properties"])
        self.classes.update(output["classes"])
        self.subjects += output["subjects"]

    def saved(self) -> dict:
        return {"properties": {k: v for k, v in self.properties.items() if v},
                "classes": {k: v for k, v in self.classes.items() if v}, "subjects": self.subjects}

    def void(self) -> dict:
        """In `kg.void.count_graph`'s form (every subject paperkg writes is under the instance namespace)."""
        from rdflib import URIRef

        properties = {URIRef(k): v for k, v in self.properties.items() if v}
        return {"triples": sum(properties.values()), "entities": self.subjects, "subjects": self.subjects,
                "properties": properties, "classes": {URIRef(k): v for k, v in self.classes.items() if v}}


def _build_through_store(papers, out: Path, html: bool, report, eng, batch_size, progress, *,
                         store: Path | None, update: bool) -> BuildSummary:
    import json
    import os
    import tempfile

    from .graph import GraphBuilder
    from .parallel import batched
    from .store import STATE_FILE, BackgroundLoader, BuildState, dump_turtle, open_store, replace_dir
    from .void import file_sources

    clock = _Clock()
    temporary = store is None
    target = store if store is not None else out / ".kg-store"
    work = _prepare_store_dir(target, update)
    st = open_store(work, create=True)
    state = BuildState(work / STATE_FILE)
    fresh = not (update and state.paper_count())  # nothing in the store yet: graph.ttl is written as we go
    out.mkdir(parents=True, exist_ok=True)
    ttl = out / "graph.ttl"
    fd, ttl_tmp = tempfile.mkstemp(prefix=".graph.ttl.", suffix=".tmp", dir=out)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(ttl_tmp, 0o666 & ~umask)  # as kg.graph.atomic_write: mkstemp makes the file private
    ttl_file = os.fdopen(fd, "w", encoding="utf-8")
    try:
        builder = GraphBuilder()
        added = {"papers": 0, "already": 0}
        saved = state.get_meta("counts")
        counts = _Counts(json.loads(saved) if saved else None)
        metric_seen = {_triple(x) for x in json.loads(state.get_meta("metric_triples") or "[]")}
        if fresh:
            ttl_file.write(_turtle_header())

        def new_papers():
            for paper in papers:
                if update and state.has_any_key(paper_keys(paper)):
                    added["already"] += 1
                    continue
                yield paper

        clock.lap("setup")
        # Workers extract and write each paper's own triples as Turtle; this thread counts entities and
        # triples, appends the Turtle to graph.ttl and hands it, in chunks of about WRITE_PAPERS papers, to a
        # loader thread.
        loader = BackgroundLoader(st, header=_turtle_header())
        pending: list[str] = []
        pending_papers = 0
        try:
            for pairs, output in eng.map(batched(new_papers(), batch_size), triples=True):
                clock.lap("read+extract")
                for paper, extraction in pairs:
                    builder.count(paper, extraction)
                state.add_keys(k for paper, _ in pairs for k in paper_keys(paper))
                counts.add_batch(output)
                for t in map(_triple, output["metric"]):
                    if t not in metric_seen:
                        metric_seen.add(t)
                        counts.add(t)
                        if t[1] == _RDF_TYPE:
                            counts.subjects += 1
                if fresh:
                    ttl_file.write(output["turtle"])
                pending.append(output["turtle"])
                pending_papers += len(pairs)
                added["papers"] += len(pairs)
                clock.lap("count+turtle")
                if pending_papers >= WRITE_PAPERS:
                    loader.put("".join(pending))
                    pending, pending_papers = [], 0
                    clock.lap("store")
                if progress is not None:
                    progress.update(len(pairs))
            loader.put("".join(pending))
            del pending
        finally:
            loader.close()
        clock.lap("store")
        clock.t["store (background)"] = round(loader.seconds, 2)
        if progress is not None:
            progress.close()

        changed = added["papers"] > 0 or not update  # an update that adds nothing leaves the store alone
        total_papers = state.paper_count() + added["papers"]
        notes: list[str] = []
        g = None
        if changed:
            entity_triples = _write_entities(builder, st, state, counts, check=not fresh)
            state.set_meta("papers", str(total_papers))
            state.add_sources(file_sources(report.files))
            clock.lap("entity nodes")
        small = total_papers <= POSTPROCESS_LIMIT
        if small:  # research areas and VoID as a small in-memory build has them, from the graph itself
            g = _postprocess_store(st, state.sources()) if changed else _store_graph(st)
            from .void import count_graph, is_description

            data = Graph()
            for t in g:
                if not is_description(t):
                    data.add(t)
            c = count_graph(data)
            counts = _Counts({"properties": {str(k): v for k, v in c["properties"].items()},
                              "classes": {str(k): v for k, v in c["classes"].items()}, "subjects": c["subjects"]})
            fresh = False  # graph.ttl comes from the store, with the research areas
        elif changed:
            description = _void_in_store(st, state.sources(), counts)
            state.set_meta("description_triples", str(len(description)))
            if fresh:
                from .graph import ntriples

                ttl_file.write(_turtle_body(ntriples(entity_triples)))
                nt = description.serialize(format="nt")  # rdflib's order follows hashing: sort it
                ttl_file.write(_turtle_body("".join(sorted(nt.splitlines(keepends=True))), extra_prefixes=True))
        if changed:
            state.set_meta("counts", json.dumps(counts.saved(), sort_keys=True))
            state.set_meta("metric_triples", json.dumps(sorted(metric_seen, key=repr)))
            state.commit()
        clock.lap("void+topics")
        if not small and not temporary and changed:
            notes.append(f"Research areas and report.html are made for up to {POSTPROCESS_LIMIT:,} papers; "
                         f"this graph has {total_papers:,} (run `kg analyze` on a part of it).")
        st.flush()
        if changed and not temporary:
            st.optimize()  # compact once now, so queries on the new store are fast from the start
            clock.lap("optimize")
        ttl_file.close()
        if fresh and changed:
            os.replace(ttl_tmp, ttl)
        else:
            os.unlink(ttl_tmp)
            dump_turtle(st, ttl)
        outputs = [ttl]
        clock.lap("turtle")
        if html:
            if g is not None:
                outputs += _write_pages(g, out, report=True)
            else:
                from .store import store_subgraph

                outputs += _write_pages(store_subgraph(st, VIEW_PAPERS), out, report=False)
                notes.append(f"graph.html shows the first {VIEW_PAPERS} papers of the store.")
            clock.lap("html")
        summary = (_summary_of_graph(g, outputs) if g is not None
                   else _summary_of_counts(counts, int(state.get_meta("description_triples") or 0), outputs))
        clock.lap("stats")
    except BaseException:
        ttl_file.close()
        if os.path.exists(ttl_tmp):
            os.unlink(ttl_tmp)
        st = None  # closes the store (releases its lock) before its directory goes
        state.close()
        shutil.rmtree(work, ignore_errors=True)
        raise
    st = None
    state.close()
    if temporary or not changed:
        shutil.rmtree(work, ignore_errors=True)
    else:
        replace_dir(work, target)
    if not temporary:
        summary.store = target
        summary.added, summary.already = added["papers"], added["already"]
    summary.timings = {k: round(v, 2) for k, v in clock.t.items()}
    summary.notes = notes
    return summary


def _turtle_header() -> str:
    from .store import TURTLE_PREFIXES

    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in TURTLE_PREFIXES.items())


def _turtle_body(text: str, extra_prefixes: bool = False) -> str:
    """N-Triples text as Turtle with the store's prefixes (and the VoID ones), without a header."""
    import pyoxigraph as ox

    from .store import TURTLE_PREFIXES
    from .void import VOID_PREFIXES

    prefixes = {**TURTLE_PREFIXES, **VOID_PREFIXES} if extra_prefixes else TURTLE_PREFIXES
    turtle = ox.serialize(ox.parse(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE,
                          prefixes=prefixes).decode("utf-8")
    lines = turtle.splitlines(keepends=True)
    if extra_prefixes:  # declare the VoID prefixes where they are first used
        return "".join(line for line in lines if not line.startswith("@prefix ")
                       or line.split()[1].rstrip(":") in VOID_PREFIXES)
    return "".join(line for line in lines if not line.startswith("@prefix "))


def _triple(t) -> tuple:
    """A neutral triple back from JSON (where tuples became lists)."""
    s, p, o = t
    return (s, p, tuple(o) if isinstance(o, list) else o)


def _write_entities(builder, st, state, counts: _Counts, check: bool) -> list:
    """Write the nodes of the entities this build saw, merged with what the store knew of them; keep
    `counts` up to date. With `check`, a triple is looked up in the store before it is counted as new."""
    from .graph import ntriples
    from .store import load_ntriples, ox_quad

    touched = set(builder.touched)
    old = state.entity_states(touched)
    for ident, record in old.items():
        builder.merge_record(ident, record)
    parents = builder.ancestors(touched) - touched
    old_parents = state.entity_states(parents)
    for ident, record in old_parents.items():
        builder.merge_record(ident, record)
    old.update(old_parents)
    new = list(dict.fromkeys(builder.entity_triples(touched)))
    new_set = set(new)
    old_set = {t for ident, record in old.items() for t in builder.record_triples(ident, record)}
    for t in old_set - new_set:
        q = ox_quad(t)
        if q in st:
            st.remove(q)
            counts.add(t, -1)
    added = []
    for t in new:
        if t in old_set or (check and ox_quad(t) in st):
            continue
        added.append(t)
        counts.add(t)
    everyone = touched | builder.ancestors(touched)
    counts.subjects += len(everyone - set(old))
    load_ntriples(st, ntriples(added))
    state.put_entity_states({i: builder.entity_record(i) for i in everyone})
    return new


def _store_graph(st):
    from .store import store_to_rdflib

    return store_to_rdflib(st)


def _postprocess_store(st, sources):
    """For a store small enough: the same research areas and VoID as a small build, written into the store."""
    import pyoxigraph as ox

    from .store import add_triples, store_to_rdflib

    g = store_to_rdflib(st)
    _postprocess(g, (), sources=sources)
    st.clear_graph(ox.DefaultGraph())
    add_triples(st, g)
    return g


def _description_subjects(st) -> list:
    """The nodes of the store's VoID description: its dataset node and what hangs below it in kgr:void/."""
    import pyoxigraph as ox

    from .void import DATASET

    space = str(DATASET).rsplit("/", 1)[0] + "/"
    dg = ox.DefaultGraph()
    seen, todo = set(), [ox.NamedNode(str(DATASET))]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for q in st.quads_for_pattern(node, None, None, dg):
            if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(space):
                todo.append(q.object)
    return list(seen)


def _void_in_store(st, sources, counts: _Counts):
    """Replace the store's VoID description with one made from `counts`; return the new description."""
    import pyoxigraph as ox

    from .store import add_triples
    from .void import describe_counts

    for node in _description_subjects(st):
        for q in list(st.quads_for_pattern(node, None, None, ox.DefaultGraph())):
            st.remove(q)
    description = describe_counts(counts.void(), sources, __version__)
    add_triples(st, description)
    return description


def _summary_of_counts(counts: _Counts, description_triples: int, outputs) -> BuildSummary:
    from .stats import TYPES
    from .vocab import KG, LINK_PROPERTIES

    c = counts.void()
    classes = {str(k): v for k, v in c["classes"].items()}
    properties = {str(k): v for k, v in c["properties"].items()}
    return BuildSummary(papers=classes.get(str(KG.Paper), 0), triples=c["triples"] + description_triples,
                        links=sum(properties.get(str(p), 0) for p in LINK_PROPERTIES.values()),
                        results=classes.get(str(KG.Result), 0),
                        entities={t: classes.get(str(getattr(KG, t)), 0) for t in TYPES}, outputs=outputs)
