"""Serialise a built graph for other tools: Turtle, N-Triples, JSON-LD and TriG, written atomically.

Every format reads back to a graph isomorphic to the one written, and the same graph gives the same
bytes: Turtle and TriG with the fixed prefixes of `kg.vocab.PREFIXES`, sorted by subject; N-Triples in
canonical form, one sorted line per triple (written by pyoxigraph, about a million triples a second);
JSON-LD with an ``@context`` of the same prefixes and nodes sorted by ``@id``. TriG puts the data in one
named graph, `GRAPH_IRI`.

Examples
--------
>>> from rdflib import Graph, Literal, URIRef
>>> g = Graph()
>>> _ = g.add((URIRef("https://w3id.org/paperkg/id/model/gpt-4"), RDFS.label, Literal('GPT-4 "o"')))
>>> print(serialize_graph(g, "ntriples").decode(), end="")
<https://w3id.org/paperkg/id/model/gpt-4> <http://www.w3.org/2000/01/rdf-schema#label> "GPT-4 \\"o\\"" .
>>> format_for_path("graph.jsonld").name
'jsonld'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDFS, BNode, Dataset, Graph, Literal, URIRef

from .errors import GraphError
from .vocab import KGR, PREFIXES

__all__ = ["ExportFormat", "FORMATS", "GRAPH_IRI", "ExportSummary", "serialize_graph", "export_bytes",
           "export_graph", "format_for_path", "read_source", "write_file"]

# The named graph TriG output puts the data in.
GRAPH_IRI = KGR["graph"]


@dataclass(frozen=True)
class ExportFormat:
    """One output format: its name on the command line, file suffix, media type and rdflib parser name."""

    name: str
    suffix: str
    media_type: str
    rdflib_name: str


FORMATS = {
    f.name: f
    for f in (
        ExportFormat("turtle", ".ttl", "text/turtle", "turtle"),
        ExportFormat("ntriples", ".nt", "application/n-triples", "nt"),
        ExportFormat("jsonld", ".jsonld", "application/ld+json", "json-ld"),
        ExportFormat("trig", ".trig", "application/trig", "trig"),
    )
}


@dataclass
class ExportSummary:
    path: Path
    format: str
    triples: int

    def describe(self) -> str:
        return f"Wrote {self.path} ({self.triples} triples, {self.format})"


def format_for_path(path: str | Path, default: str = "turtle") -> ExportFormat:
    """The format a file name's suffix asks for (``.ttl``, ``.nt``, ``.jsonld``/``.json``, ``.trig``)."""
    suffix = Path(path).suffix.lower()
    for f in FORMATS.values():
        if suffix == f.suffix or (f.name == "jsonld" and suffix == ".json"):
            return f
    return FORMATS[default]


def _prefixes() -> dict[str, str]:
    from .void import VOID_PREFIXES

    return {**PREFIXES, **VOID_PREFIXES}


def _bind(g: Graph) -> None:
    for prefix, ns in _prefixes().items():
        g.bind(prefix, ns, override=True)


# ------------------------------------------------------------------------------------------ formats

def _ox_term(term):
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise GraphError(f"cannot export RDF term {term!r}")


def _ntriples(triples) -> bytes:
    """Canonical N-Triples of pyoxigraph triples, one sorted line each."""
    import pyoxigraph as ox

    lines = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).splitlines(keepends=True)
    return b"".join(sorted(set(lines)))


def _sort_jsonld(node):
    """Order a JSON-LD value deterministically: nodes by @id, multi-valued properties by content."""
    if isinstance(node, dict):  # an @list keeps its order: it is an rdf:List
        return {k: [_sort_jsonld(x) for x in v] if k == "@list" else _sort_jsonld(v) for k, v in node.items()}
    if isinstance(node, list):
        items = [_sort_jsonld(x) for x in node]
        return sorted(items, key=lambda x: (str(x.get("@id", "")) if isinstance(x, dict) else "",
                                            json.dumps(x, sort_keys=True, ensure_ascii=False)))
    return node


def serialize_graph(g: Graph, fmt: str = "turtle") -> bytes:
    """`g` as bytes in format `fmt` (a key of `FORMATS`); the same graph always gives the same bytes."""
    if fmt not in FORMATS:
        raise GraphError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "ntriples":
        import pyoxigraph as ox

        try:
            triples = [ox.Triple(*map(_ox_term, t)) for t in g]
        except ValueError as e:  # pyoxigraph rejects invalid IRIs and language tags
            raise GraphError(f"cannot export: {e}") from None
        return _ntriples(triples)
    if fmt == "turtle":
        out = Graph()
        _bind(out)
        out += g
        return out.serialize(format="turtle", encoding="utf-8")
    if fmt == "trig":
        ds = Dataset()
        _bind(ds)
        named = ds.graph(GRAPH_IRI)
        for t in g:
            named.add(t)
        return ds.serialize(format="trig", encoding="utf-8")
    # JSON-LD: compact with the fixed prefixes, then sort so the bytes don't depend on set order.
    data = json.loads(g.serialize(format="json-ld", context=_prefixes(), auto_compact=True))
    if isinstance(data, dict) and "@graph" in data:
        data["@graph"] = _sort_jsonld(data["@graph"])
    elif isinstance(data, dict):  # a single node comes back without @graph
        ctx = data.pop("@context", None)
        data = {"@context": ctx, "@graph": [_sort_jsonld(data)] if data else []}
    return (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


# ------------------------------------------------------------------------------------------ sources

def _store_dir(store: Path) -> Path | None:
    """The graph file of a `kg build` output directory, or None for a pyoxigraph store directory."""
    if not store.is_dir():
        raise GraphError(f"{store}: no such store directory (build one with `kg build -o {store}`)")
    return store / "graph.ttl" if (store / "graph.ttl").is_file() else None


def _store_triples(store: Path) -> list:
    """All triples of a pyoxigraph store, its named graphs merged into one.

    A store keeps typed literals as values, so they come back in canonical form ("9.40" as "9.4").
    """
    import pyoxigraph as ox

    try:
        st = ox.Store.read_only(str(store))
        return list({ox.Triple(q.subject, q.predicate, q.object) for q in st})
    except Exception as e:  # pyoxigraph raises OSError and its own errors for a directory that is no store
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise GraphError(f"{store}: neither a `kg build` output directory nor an RDF store ({msg[:120]})") from None


def _check_source(graph: Path | None, store: Path | None) -> None:
    if graph is not None and store is not None:
        raise GraphError("give --graph or --store, not both")
    if graph is None and store is None:
        raise GraphError("no graph to export: give a graph file or a store directory")


def read_source(graph: Path | None = None, store: Path | None = None) -> Graph:
    """The graph in an RDF file, or in a store directory (a `kg build` output or a pyoxigraph store)."""
    from .graph import read_graph

    _check_source(graph, store)
    if store is None:
        return read_graph(graph)
    ttl = _store_dir(Path(store))
    if ttl is not None:
        return read_graph(ttl)
    g = Graph()
    _bind(g)
    g.parse(data=_ntriples(_store_triples(Path(store))), format="nt")
    return g


def _fast_ntriples(graph: Path | None, store: Path | None) -> tuple[bytes, int] | None:
    """N-Triples straight from pyoxigraph (no rdflib graph in between) where the source allows it."""
    import pyoxigraph as ox

    if store is not None:
        ttl = _store_dir(Path(store))
        if ttl is None:
            triples = _store_triples(Path(store))
            return _ntriples(triples), len(triples)
        graph = ttl
    path = Path(graph)
    formats = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}
    if path.suffix.lower() not in formats or not path.is_file():
        return None  # read_source reports a missing file, and parses other formats with rdflib
    try:
        triples = list(ox.parse(path=str(path), format=formats[path.suffix.lower()]))
    except (SyntaxError, ValueError, OSError) as e:
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise GraphError(f"{path}: cannot parse: {msg[:200]}") from None
    data = _ntriples(triples)
    return data, data.count(b"\n")


def export_bytes(fmt: str = "turtle", graph: Path | None = None, store: Path | None = None) -> tuple[bytes, int]:
    """The graph of `graph` (an RDF file) or `store` (a directory) serialised as `fmt`, and its triple count."""
    if fmt not in FORMATS:
        raise GraphError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    _check_source(graph, store)
    fast = _fast_ntriples(graph, store) if fmt == "ntriples" else None
    if fast is not None:
        return fast
    g = read_source(graph, store)
    return serialize_graph(g, fmt), len(g)


def export_graph(out: Path, fmt: str | None = None, graph: Path | None = None,
                 store: Path | None = None) -> ExportSummary:
    """Export the graph of `graph` (an RDF file) or `store` (a directory) to the file `out`, atomically.

    Without `fmt` the format follows `out`'s suffix (``.ttl``, ``.nt``, ``.jsonld``, ``.trig``; Turtle
    for any other).
    """
    out = Path(out)
    fmt = fmt or format_for_path(out).name
    _check_writable(out)
    data, n = export_bytes(fmt, graph, store)
    write_file(out, data)
    return ExportSummary(out, fmt, n)


def _check_writable(path: Path) -> None:
    if path.is_dir():
        raise GraphError(f"{path}: is a directory; give a file name")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise GraphError(f"{path}: cannot write: {parent} is not a directory")
            break


def write_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (readers never see half a file); GraphError if it can't be written."""
    from .graph import atomic_write

    path = Path(path)
    _check_writable(path)
    try:
        atomic_write(path, lambda tmp: tmp.write_bytes(data))
    except OSError as e:
        raise GraphError(f"{path}: cannot write: {e.strerror or e}") from None
