"""The on-disk RDF store: the one place that opens, creates, fills and dumps a pyoxigraph store.

A store is a directory that ``pyoxigraph.Store(DIR)`` opens: the graph lives in its default graph, so any
SPARQL engine or tool that reads an Oxigraph store sees exactly what ``graph.ttl`` holds. ``kg build --store
DIR`` writes one; ``kg query``, ``kg view``, ``kg export`` and ``kg validate`` read it with ``--store DIR``.

Beside the RocksDB files the directory holds ``paperkg-state.sqlite``, paperkg's build bookkeeping: the keys
of the papers already in the store (so ``kg build --update`` skips them) and, per entity, the spellings seen
with their counts (so labels are still chosen across all papers after an update). The bookkeeping is kept out
of the RDF on purpose: queries, exports and views never see it.

Examples
--------
>>> from rdflib import Graph, Literal, URIRef
>>> g = Graph()
>>> _ = g.add((URIRef("https://w3id.org/paperkg/id/paper/1"), URIRef("http://purl.org/dc/terms/title"), Literal("T")))
>>> st = memory_store()
>>> add_triples(st, g)
>>> len(store_to_rdflib(st))
1
>>> print(dump_ntriples(st).decode().strip())
<https://w3id.org/paperkg/id/paper/1> <http://purl.org/dc/terms/title> "T" .
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from rdflib import BNode, Graph, Literal, URIRef

from .errors import GraphError

__all__ = ["STATE_FILE", "TURTLE_PREFIXES", "open_store", "memory_store", "is_store", "is_paperkg_store", "store_to_rdflib",
           "store_triples", "add_triples", "load_ntriples", "load_turtle", "ox_quad", "to_ox", "to_ox_triple", "from_ox", "dump_turtle", "dump_ntriples",
           "count_triples", "store_subgraph", "BuildState", "BackgroundLoader", "replace_dir"]

STATE_FILE = "paperkg-state.sqlite"


def _turtle_prefixes() -> dict:
    from .vocab import KGR, PREFIXES

    folders = ("paper", "link", "result", "method", "model", "dataset", "hardware", "task", "metric")
    return {**PREFIXES, **{f: f"{KGR}{f}/" for f in folders}}


# The prefixes of the Turtle Oxigraph writes: the project's, plus one per kind of node (paper:2401.00001).
TURTLE_PREFIXES = _turtle_prefixes()
STATE_VERSION = "1"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


# ------------------------------------------------------------------------------------------ opening

def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return (text.splitlines()[0] if text else type(e).__name__)[:200]


def is_store(path: Path) -> bool:
    """Does `path` look like a pyoxigraph (RocksDB) store directory?"""
    path = Path(path)
    return path.is_dir() and (path / "CURRENT").is_file()


def is_paperkg_store(path: Path) -> bool:
    """Is `path` a store that `kg build --store` wrote (it has paperkg's bookkeeping file)?"""
    return is_store(path) and (Path(path) / STATE_FILE).is_file()


def open_store(path: Path, create: bool = False, read_only: bool = False):
    """Open the pyoxigraph store at `path`; with `create`, make it (and its parents) if missing.

    A read-only store can be open in several processes at once, also while `kg build` writes to it.
    GraphError, with the next step, if the directory is missing or is not a store.
    """
    import pyoxigraph as ox

    path = Path(path)
    if not create:
        if not path.is_dir():
            raise GraphError(f"{path}: no such store directory (build one with `kg build --store {path}`)")
        if not is_store(path):
            raise GraphError(f"{path}: not an RDF store directory (build one with `kg build --store {path}`)")
    else:
        path.mkdir(parents=True, exist_ok=True)
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as e:
        raise GraphError(f"{path}: cannot open the store: {_first_line(e)}") from None


def memory_store():
    """A new in-memory pyoxigraph store (for tests and for loading a small graph file)."""
    import pyoxigraph as ox

    return ox.Store()


def replace_dir(new: Path, target: Path) -> None:
    """Move directory `new` to `target`, replacing what was there; the old one is removed only afterwards."""
    new, target = Path(new), Path(target)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# ------------------------------------------------------------------------------------------ terms

@lru_cache(maxsize=4096)
def _named_node(iri: str):
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def to_ox(term):
    """An rdflib term -> the equal pyoxigraph term (plain literals stay plain).

    >>> to_ox(Literal("0.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")))
    <Literal value=0.5 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#decimal>>
    """
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(term)
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=_named_node(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise GraphError(f"cannot store RDF term {term!r}")


def to_ox_triple(t):
    """An rdflib triple -> a pyoxigraph Quad in the default graph."""
    import pyoxigraph as ox

    s, p, o = t
    return ox.Quad(to_ox(s), to_ox(p), to_ox(o))


def from_ox(term):
    """A pyoxigraph term -> the equal rdflib term (xsd:string literals come back plain)."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        return Literal(term.value) if dt == _XSD_STRING else Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise GraphError(f"cannot read RDF term {term!r}")


# ------------------------------------------------------------------------------------------ reading and writing

def store_triples(store) -> Iterator:
    """The default graph's triples as pyoxigraph quads (the graph paperkg wrote; named graphs are left out)."""
    import pyoxigraph as ox

    return store.quads_for_pattern(None, None, None, ox.DefaultGraph())


def store_to_rdflib(store, graph: Graph | None = None) -> Graph:
    """Copy the store's default graph into an rdflib Graph (with paperkg's prefixes bound).

    Memory grows with the graph (about 1 KB a triple in rdflib): meant for small stores and for tools that
    need rdflib; big stores are better queried in place.
    """
    from .vocab import PREFIXES

    g = graph if graph is not None else Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    cache: dict = {}

    def conv(term):
        key = (type(term), term)
        got = cache.get(key)
        if got is None:
            got = from_ox(term)
            if len(cache) < 100_000:
                cache[key] = got
        return got

    for q in store_triples(store):
        g.add((conv(q.subject), conv(q.predicate), conv(q.object)))
    return g


def ox_quad(triple):
    """A neutral triple (see `kg.graph.ntriples`: IRIs as str, literals as (lexical, datatype) tuples) -> a Quad."""
    import pyoxigraph as ox

    def term(t):
        if isinstance(t, tuple):
            lex, dt = t
            return ox.Literal(lex) if dt is None else ox.Literal(lex, datatype=_named_node(dt))
        return ox.NamedNode(t)

    s, p, o = triple
    return ox.Quad(ox.NamedNode(s), _named_node(p), term(o))


def load_ntriples(store, text: str) -> None:
    """Load N-Triples text into the default graph with Oxigraph's bulk loader (not transactional: `kg build`
    writes into a working copy and moves it into place only when the build succeeded)."""
    import pyoxigraph as ox

    if text:
        store.bulk_load(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES)


class BackgroundLoader:
    """Loads chunks of Turtle text (each preceded by `header`, its @prefix lines) into a store in a
    background thread.

    Oxigraph's bulk loader releases the GIL, so loading overlaps with the caller's work (reading papers,
    counting entities); at most `depth` chunks wait in the queue, which bounds memory. An error in the
    thread is raised again by the next `put` or by `close`. `seconds` is the time spent loading.
    """

    def __init__(self, store, header: str = "", depth: int = 2):
        import queue
        import threading

        self.store = store
        self.header = header
        self.seconds = 0.0
        self.error: BaseException | None = None
        self._queue = queue.Queue(maxsize=depth)
        self._thread = threading.Thread(target=self._run, name="paperkg-store-loader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import time

        while True:
            text = self._queue.get()
            if text is None:
                return
            if self.error is None:
                t0 = time.perf_counter()
                try:
                    load_turtle(self.store, self.header + text)
                except BaseException as e:  # handed to the caller's thread
                    self.error = e
                self.seconds += time.perf_counter() - t0

    def put(self, text: str) -> None:
        if self.error is not None:
            raise self.error
        if text:
            self._queue.put(text)

    def close(self) -> None:
        """Wait until everything queued is loaded."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self.error is not None:
            raise self.error


def load_turtle(store, text: str) -> None:
    """Load Turtle text into the default graph with Oxigraph's bulk loader (see `load_ntriples`)."""
    import pyoxigraph as ox

    if text:
        store.bulk_load(text.encode("utf-8"), ox.RdfFormat.TURTLE)


def add_triples(store, triples: Iterable) -> None:
    """Add rdflib triples to the store's default graph, in one transaction."""
    store.extend([to_ox_triple(t) for t in triples])


def count_triples(store) -> int:
    """How many triples the default graph holds."""
    res = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(next(iter(res))["n"].value)


def dump_turtle(store, path: Path) -> None:
    """Write the default graph as Turtle to `path`, atomically, with paperkg's prefixes.

    Oxigraph writes triples in its index order, which depends only on the triples: the same graph gives the
    same bytes, whatever order it was loaded in (these bytes differ from rdflib's Turtle of the same graph).
    """
    import pyoxigraph as ox

    from .graph import atomic_write
    from .void import VOID_PREFIXES

    def write(tmp: Path):
        store.dump(str(tmp), ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(),
                   prefixes={**TURTLE_PREFIXES, **VOID_PREFIXES})

    atomic_write(Path(path), write)


def dump_ntriples(store, path: Path | None = None) -> bytes | None:
    """The default graph as N-Triples (Oxigraph's index order), to `path` atomically or returned as bytes."""
    import pyoxigraph as ox

    if path is None:
        return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    from .graph import atomic_write

    atomic_write(Path(path), lambda tmp: store.dump(str(tmp), ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()))
    return None


def store_subgraph(store, max_papers: int = 300) -> Graph:
    """A bounded, deterministic piece of a big store for the HTML view: the first `max_papers` papers (in
    the store's index order) with their triples, link statements, results and the entities they link to."""
    import pyoxigraph as ox

    from .vocab import KG

    dg = ox.DefaultGraph()
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    rdf_subject = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject")
    papers = []
    for q in store.quads_for_pattern(None, rdf_type, ox.NamedNode(str(KG.Paper)), dg):
        papers.append(q.subject)
        if len(papers) >= max_papers:
            break
    subjects: dict = {}
    for p in papers:
        subjects[p] = None
        for q in store.quads_for_pattern(None, rdf_subject, p, dg):
            subjects[q.subject] = None
    objects: dict = {}
    for s in list(subjects):
        for q in store.quads_for_pattern(s, None, None, dg):
            if isinstance(q.object, ox.NamedNode):
                objects[q.object] = None
    for o in objects:  # entities, results, metrics (and the model families one hop up)
        if o not in subjects:
            subjects[o] = None
    for s in list(subjects):
        for q in store.quads_for_pattern(s, ox.NamedNode(str(KG.variantOf)), None, dg):
            subjects.setdefault(q.object, None)
    g = Graph()
    from .vocab import PREFIXES

    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    for s in subjects:
        for q in store.quads_for_pattern(s, None, None, dg):
            g.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    return g


# ------------------------------------------------------------------------------------------ bookkeeping

class BuildState:
    """paperkg's bookkeeping beside a store (``paperkg-state.sqlite``): paper keys, entity spellings, sources.

    The paper keys are those `kg.ingest.iter_papers` de-duplicates on (arXiv id, normalised title); an
    entity's record holds what `kg.graph.GraphBuilder` needs to choose its label across all papers.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> with BuildState(d / STATE_FILE) as st:
    ...     st.add_keys(["arxiv:2401.00001", "title:a title"])
    ...     st.has_any_key(["title:a title"]), st.has_any_key(["title:other"])
    (True, False)
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = sqlite3.connect(str(self.path))
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS paper_keys (key TEXT PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS entities (etype TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL,
                                                 PRIMARY KEY (etype, key)) WITHOUT ROWID;
        """)
        got = self.get_meta("version")
        if got is None:
            self.set_meta("version", STATE_VERSION)
        elif got != STATE_VERSION:
            raise GraphError(f"{self.path}: bookkeeping version {got}, this paperkg writes {STATE_VERSION}; "
                             "rebuild the store without --update")
        self.db.commit()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        if self.db is not None:
            self.db.commit()
            self.db.close()
            self.db = None

    def commit(self) -> None:
        self.db.commit()

    def get_meta(self, name: str):
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, name: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    def has_any_key(self, keys: Iterable[str]) -> bool:
        keys = list(keys)
        marks = ",".join("?" * len(keys))
        return self.db.execute(f"SELECT 1 FROM paper_keys WHERE key IN ({marks}) LIMIT 1", keys).fetchone() is not None

    def add_keys(self, keys: Iterable[str]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO paper_keys VALUES (?)", ((k,) for k in keys))

    def paper_count(self) -> int:
        return int(self.get_meta("papers") or 0)

    def entity_states(self, idents: Iterable[tuple[str, str]]) -> dict:
        """(etype, key) -> the stored record (a dict) for those of `idents` the store has."""
        out = {}
        for ident in idents:
            row = self.db.execute("SELECT state FROM entities WHERE etype = ? AND key = ?", ident).fetchone()
            if row is not None:
                out[ident] = json.loads(row[0])
        return out

    def put_entity_states(self, states: dict) -> None:
        self.db.executemany("INSERT OR REPLACE INTO entities VALUES (?, ?, ?)",
                            ((et, k, json.dumps(v, sort_keys=True, ensure_ascii=False))
                             for (et, k), v in states.items()))

    def sources(self) -> list[tuple[str, str]]:
        """(file name, SHA-256) of every input file the store was built or updated from."""
        return [tuple(x) for x in json.loads(self.get_meta("sources") or "[]")]

    def add_sources(self, sources: Iterable[tuple[str, str]]) -> None:
        merged = sorted(set(self.sources()) | {tuple(s) for s in sources})
        self.set_meta("sources", json.dumps(merged))
