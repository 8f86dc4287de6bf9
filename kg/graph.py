"""Papers plus extractions -> an RDF graph under the paperkg ontology. The only place IRIs are made.

IRIs are deterministic: a paper's comes from its arXiv id (or a hash of its normalised title), an
entity's from its type and cross-paper key, so the same model named in two papers is one node.

Examples
--------
>>> from kg.ingest import Paper
>>> from kg.extract import Entity, Link, PaperExtraction
>>> p = Paper(title="T", abstract="A.", id="2401.00001")
>>> e = Entity(type="Model", key="gpt-4", name="GPT-4")
>>> g = build_graph([(p, PaperExtraction(links=[Link("usesModel", e, "A.", 0.9, "gazetteer")]))])
>>> str(paper_iri(p)), str(entity_iri("Model", "gpt-4"))
('https://w3id.org/paperkg/id/paper/2401.00001', 'https://w3id.org/paperkg/id/model/gpt-4')
>>> (paper_iri(p), KG.usesModel, entity_iri("Model", "gpt-4")) in g
True
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, Namespace

from .errors import GraphError
from .extract.names import entity_key
from .ingest import Paper, normalise_title
from .vocab import ENTITY_CLASSES, KG, KGR, LINK_PROPERTIES, PREFIXES, match_key

SCHEMA = Namespace("http://schema.org/")

__all__ = ["build_graph", "paper_iri", "entity_iri", "GraphBuilder", "write_graph", "read_graph",
           "atomic_write", "SCHEMA", "ntriples", "rdflib_term"]


def _slug(text: str) -> str:
    # surrogatepass: a lone surrogate (a broken name from bad input) still gives a valid, distinct IRI
    return quote(text, safe="-._~", errors="surrogatepass")


def _digest(*parts: str, n: int = 16) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:n]


def paper_iri(paper: Paper) -> URIRef:
    if paper.arxiv_id:
        return KGR[f"paper/{_slug(paper.arxiv_id)}"]
    return KGR[f"paper/t-{_digest(normalise_title(paper.title), n=12)}"]


def entity_iri(etype: str, key: str) -> URIRef:
    folder = "dataset" if etype in ("Dataset", "Benchmark") else etype.lower()
    slug = _slug(key) if key else ""
    if not slug or len(slug) > 120:
        slug = "h-" + _digest(etype, key, n=16)
    return KGR[f"{folder}/{slug}"]


def _decimal(value) -> Literal:
    """An xsd:decimal literal in canonical form ("7000000000.0", never "7E+9" or "7000000000").

    Turtle writes a decimal with a point, so a lexical form without one would read back as a different
    literal; an exponent is not xsd:decimal syntax at all.
    """
    return Literal(_decimal_text(value), datatype=XSD.decimal)


@lru_cache(maxsize=1 << 14)
def _decimal_text(value) -> str:
    """The lexical form `_decimal` gives its literal."""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise GraphError(f"not a decimal number: {value!r}") from None
    if not d.is_finite():
        raise GraphError(f"not a decimal number: {value!r}")
    text = format(d, "f")
    return text if "." in text else text + ".0"


# Per-paper and entity triples are made as neutral terms first: an IRI is a `str`, a literal a
# (lexical form, datatype IRI or None) tuple. `graph()` turns them into rdflib terms; a store build writes
# them as N-Triples text (`ntriples`), which is far faster than making rdflib terms for millions of triples.
_RDF_TYPE, _RDFS_LABEL, _SKOS_ALT, _SKOS_HIDDEN = (str(RDF.type), str(RDFS.label), str(SKOS.altLabel),
                                                 str(SKOS.hiddenLabel))
_RDF_STATEMENT, _RDF_SUBJECT, _RDF_PREDICATE, _RDF_OBJECT = (str(RDF.Statement), str(RDF.subject),
                                                             str(RDF.predicate), str(RDF.object))
_XSD_DECIMAL, _XSD_DATE, _XSD_ANYURI = str(XSD.decimal), str(XSD.date), str(XSD.anyURI)
_PROV_DERIVED = str(PROV.wasDerivedFrom)
_DC = {name: str(DCTERMS[name]) for name in ("title", "abstract", "identifier", "date", "creator")}
_K = {name: str(getattr(KG, name)) for name in (
    "Paper", "Benchmark", "Result", "Metric", "variantOf", "parameterCount", "category", "sourceFile", "evidence",
    "confidence", "extractor", "hasResult", "onDataset", "value", "unit", "resultKind", "forSystem", "metric")}
_LINK_PROPS = {kind: str(prop) for kind, prop in LINK_PROPERTIES.items()}
_CLASSES = {etype: str(cls) for etype, cls in ENTITY_CLASSES.items()}
_SCHEMA_URL, _SCHEMA_SAME = str(SCHEMA.url), str(SCHEMA.sameAs)


@lru_cache(maxsize=1 << 16)
def _iri(etype: str, key: str) -> str:
    """`entity_iri` as a plain string, memoised: the same entities recur in paper after paper."""
    return str(entity_iri(etype, key))


def _dec(value) -> tuple:
    return (_decimal_text(value), _XSD_DECIMAL)


def rdflib_term(term):
    """A neutral term (IRI str, or (lexical, datatype) tuple) -> the rdflib term."""
    if isinstance(term, tuple):
        lex, dt = term
        return Literal(lex) if dt is None else Literal(lex, datatype=URIRef(dt))
    return URIRef(term)


_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def ntriples(triples) -> str:
    """Neutral triples as N-Triples text, one line each.

    >>> print(ntriples([("http://e/a", "http://e/p", ('say "hi"', None))]), end="")
    <http://e/a> <http://e/p> "say \\"hi\\"" .
    """
    lines = []
    for s, p, o in triples:
        if isinstance(o, tuple):
            lex, dt = o
            lex = lex.translate(_NT_ESCAPES)
            obj = f'"{lex}"' if dt is None else f'"{lex}"^^<{dt}>'
        else:
            obj = f"<{o}>"
        lines.append(f"<{s}> <{p}> {obj} .\n")
    return "".join(lines)


def _ident(ent) -> tuple[str, str]:
    """An extracted entity's identity in the graph: (type, key), benchmarks being datasets."""
    return ("Dataset" if ent.type == "Benchmark" else ent.type, ent.key)


class GraphBuilder:
    """Accumulates papers and extractions; `graph()` renders them as RDF.

    Entity names are chosen across all papers at the end (the most frequent spelling wins, ties broken
    alphabetically), so the order papers arrive in does not change the output.

    For graphs too big to hold, `count` keeps only a paper's contribution to the entity tables (which grow
    with distinct entities, not papers) and `paper_triples` gives the paper's own triples at once, to be
    written out; `entity_triples` then gives the entity nodes. `entity_record` and `merge_record` carry an entity's table entries to and from storage, so a
    later run can add papers and still choose labels across all of them (see `kg.store`).
    """

    def __init__(self):
        self.papers: dict[URIRef, Paper] = {}
        self.forms: dict[tuple[str, str], Counter] = defaultdict(Counter)
        self.aliases: dict[tuple[str, str], set] = defaultdict(set)
        self.benchmark: set = set()
        self.family: dict[tuple[str, str], tuple] = {}
        self.params: dict[tuple[str, str], float] = {}
        self.links: dict[tuple, tuple] = {}
        self.results: dict[URIRef, list] = defaultdict(list)
        self.touched: set = set()  # entities seen since this builder was made (for incremental writes)

    def _entity(self, ent) -> tuple[str, str]:
        ident = _ident(ent)
        self.touched.add(ident)
        self.forms[ident][ent.name] += 1
        self.aliases[ident].update(ent.aliases)
        if ent.benchmark:
            self.benchmark.add(ident)
        if ent.family and ident not in self.family:
            self.family[ident] = ent.family
        if ent.parameters:
            self.params[ident] = ent.parameters
        return ident

    def _register(self, piri: URIRef, extraction, links: dict, results: list) -> None:
        """Count the extraction's entities; merge its links into `links` and append its results."""
        for link in extraction.links:
            ident = self._entity(link.entity)
            key = (piri, link.kind, ident)
            old = links.get(key)
            if old is None or link.confidence > old[1]:
                links[key] = (link.evidence, link.confidence, link.rule)
        for r in extraction.results:
            ds = self._entity(r.dataset)
            system = self._entity(r.system) if r.system is not None else None
            results.append((ds, r, system))

    def add(self, paper: Paper, extraction) -> None:
        piri = paper_iri(paper)
        self.papers[piri] = paper
        self._register(piri, extraction, self.links, self.results[piri])

    def count(self, paper: Paper, extraction) -> None:
        """Count the paper's entities as `add` does, keeping nothing else of it (its triples come from
        `paper_triples`, which may run elsewhere, e.g. in the worker that extracted the paper)."""
        for link in extraction.links:
            self._entity(link.entity)
        for r in extraction.results:
            self._entity(r.dataset)
            if r.system is not None:
                self._entity(r.system)

    @staticmethod
    def paper_triples(paper: Paper, extraction) -> list:
        """The paper's own triples, as neutral terms (see `ntriples`): the paper node, its links with their
        statements, its results. The same triples `graph()` makes for the paper; entity nodes come from
        `entity_triples`. Pure: counts nothing (see `count`)."""
        piri = paper_iri(paper)
        links: dict = {}
        results: list = []
        for link in extraction.links:
            key = (piri, link.kind, _ident(link.entity))
            old = links.get(key)
            if old is None or link.confidence > old[1]:
                links[key] = (link.evidence, link.confidence, link.rule)
        for r in extraction.results:
            results.append((_ident(r.dataset), r, _ident(r.system) if r.system is not None else None))
        out = GraphBuilder._paper_triples(piri, paper)
        for key, value in links.items():
            out.extend(GraphBuilder._link_triples(key, value))
        out.extend(GraphBuilder._result_triples(piri, results))
        return out

    def graph(self) -> Graph:
        g = Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns, override=True)
        g.bind("dcterms", DCTERMS, override=True)
        triples = []
        for piri, paper in self.papers.items():
            triples.extend(self._paper_triples(piri, paper))
        triples.extend(self.entity_triples())
        for key, value in sorted(self.links.items()):
            triples.extend(self._link_triples(key, value))
        for piri in sorted(self.results):
            triples.extend(self._result_triples(piri, self.results[piri]))
        for s, p, o in triples:
            g.add((URIRef(s), URIRef(p), rdflib_term(o)))
        return g

    # ---------------------------------------------------------------------------------- entities

    def ancestors(self, idents) -> set:
        """The model-family entities above `idents` (Llama-3.1 -> Llama), by their family chains."""
        out = set()
        for ident in idents:
            for fam_name in self.family.get(ident, ()):
                out.add(("Model", entity_key(fam_name)))
        return out

    def entity_triples(self, idents=None) -> list:
        """The entity nodes (type, label, altLabels, parameter count) and `variantOf` links, as neutral terms.

        All entities by default; else those of `idents` and the families above them. Model families become
        entities too: a family named only as part of a longer model name gets its name as a zero-count form.
        """
        chains = sorted(self.family.items()) if idents is None else sorted(
            (i, self.family[i]) for i in idents if i in self.family)
        out = []
        for ident, chain in chains:
            child = ident
            for fam_name in chain:
                parent = ("Model", entity_key(fam_name))
                self.forms[parent][fam_name] = self.forms[parent].get(fam_name, 0)
                out.append((_iri(*child), _K["variantOf"], _iri(*parent)))
                child = parent
        which = sorted(self.forms) if idents is None else sorted(set(idents) | self.ancestors(idents))
        for ident in which:
            out.extend(self.record_triples(ident, self.entity_record(ident)))
        return out

    def entity_record(self, ident) -> dict:
        """What the builder knows of one entity, as JSON-ready data (see `merge_record`)."""
        return {
            "forms": dict(sorted(self.forms[ident].items())),
            "aliases": sorted(self.aliases.get(ident, ())),
            "benchmark": ident in self.benchmark,
            "family": list(self.family[ident]) if ident in self.family else None,
            "params": self.params.get(ident),
        }

    def merge_record(self, ident, old: dict) -> None:
        """Fold in an entity record from papers added before this builder's (as if they came first)."""
        forms = self.forms[ident]
        for name, n in old["forms"].items():
            forms[name] = forms.get(name, 0) + n
        self.aliases[ident].update(old["aliases"])
        if old["benchmark"]:
            self.benchmark.add(ident)
        if old["family"]:
            self.family[ident] = tuple(old["family"])  # the first family seen wins, and old papers came first
        if old["params"] and ident not in self.params:
            self.params[ident] = old["params"]  # the last parameter count seen wins

    @staticmethod
    def record_triples(ident, record: dict) -> list:
        """The entity node of one entity record: its types, label, altLabels and parameter count."""
        etype, key = ident
        iri = str(entity_iri(etype, key))
        forms = record["forms"]
        label = sorted(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        out = [(iri, _RDF_TYPE, _CLASSES[etype])]
        if record["benchmark"]:
            out.append((iri, _RDF_TYPE, _K["Benchmark"]))
        out.append((iri, _RDFS_LABEL, (label, None)))
        names = set(forms) | set(record["aliases"])
        for alt in sorted(names - {label}):
            out.append((iri, _SKOS_ALT, (alt, None)))
        # Lower-case forms as hidden labels, so queries match a name in any case by an index lookup
        # (`match_key`) instead of a scan; SKOS keeps hidden labels apart from the other labels.
        for key in sorted({match_key(n) for n in names} - names):
            out.append((iri, _SKOS_HIDDEN, (key, None)))
        if record["params"]:
            out.append((iri, _K["parameterCount"], _dec(int(record["params"]))))
        return out

    # ---------------------------------------------------------------------------------- per paper

    @staticmethod
    def _link_triples(key, value) -> list:
        piri, kind, ident = key
        evidence, confidence, rule = value
        piri = str(piri)
        obj = _iri(*ident)
        prop = _LINK_PROPS[kind]
        st = f"{KGR}link/{_digest(piri, kind, obj)}"
        return [
            (piri, prop, obj),
            (st, _RDF_TYPE, _RDF_STATEMENT),
            (st, _RDF_SUBJECT, piri),
            (st, _RDF_PREDICATE, prop),
            (st, _RDF_OBJECT, obj),
            (st, _K["evidence"], (evidence, None)),
            (st, _K["confidence"], _dec(round(confidence, 2))),
            (st, _K["extractor"], (rule, None)),
            (st, _PROV_DERIVED, piri),
        ]

    @staticmethod
    def _result_triples(piri: URIRef, results: list) -> list:
        out = []
        seen = set()
        piri = str(piri)
        local = piri.rsplit("/", 1)[-1]
        for ds, r, system in results:
            sig = (ds, r.value, r.unit, r.kind, system, r.evidence)
            if sig in seen:
                continue
            seen.add(sig)
            res = f"{KGR}result/{local}-{_digest(*map(str, sig), n=10)}"
            out.append((piri, _K["hasResult"], res))
            out.append((res, _RDF_TYPE, _K["Result"]))
            out.append((res, _K["onDataset"], _iri(*ds)))
            out.append((res, _K["value"], _dec(r.value)))
            if r.unit:
                out.append((res, _K["unit"], (r.unit, None)))
            out.append((res, _K["resultKind"], (r.kind, None)))
            if system is not None:
                out.append((res, _K["forSystem"], _iri(*system)))
            if r.metric:
                miri = _iri("Metric", entity_key(r.metric))
                out.append((res, _K["metric"], miri))
                out.append((miri, _RDF_TYPE, _K["Metric"]))
                out.append((miri, _RDFS_LABEL, (r.metric, None)))
            out.append((res, _K["evidence"], (r.evidence, None)))
            out.append((res, _K["confidence"], _dec(round(r.confidence, 2))))
            out.append((res, _PROV_DERIVED, piri))
        return out

    @staticmethod
    def _paper_triples(piri: URIRef, paper: Paper) -> list:
        piri = str(piri)
        out = [
            (piri, _RDF_TYPE, _K["Paper"]),
            (piri, _DC["title"], (paper.title, None)),
            (piri, _DC["abstract"], (paper.abstract, None)),
        ]
        if paper.id:
            out.append((piri, _DC["identifier"], (paper.id, None)))
        if paper.date:
            out.append((piri, _DC["date"], (paper.date, _XSD_DATE)))
        if paper.url:
            out.append((piri, _SCHEMA_URL, (paper.url, _XSD_ANYURI)))
        if paper.doi:
            out.append((piri, _SCHEMA_SAME, (f"https://doi.org/{paper.doi}", _XSD_ANYURI)))
        for a in paper.authors:
            out.append((piri, _DC["creator"], (a, None)))
        for c in paper.categories:
            out.append((piri, _K["category"], (c, None)))
        if paper.source:
            out.append((piri, _K["sourceFile"], (paper.source, None)))
        return out


def build_graph(pairs: Iterable) -> Graph:
    """Build the RDF graph of (paper, extraction) pairs."""
    b = GraphBuilder()
    for paper, extraction in pairs:
        b.add(paper, extraction)
    return b.graph()


def atomic_write(path: Path, write) -> None:
    """Call `write(tmp_path)` then rename onto `path`: readers never see a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_graph(g: Graph, path: Path, fmt: str = "turtle") -> None:
    """Serialise `g` to `path` atomically."""

    def write(tmp: Path):
        data = g.serialize(format=fmt, encoding="utf-8")
        tmp.write_bytes(data)

    atomic_write(path, write)


def read_graph(path: Path) -> Graph:
    """Read an RDF file (format from the extension, Turtle by default); GraphError if it can't be read."""
    import rdflib.util

    path = Path(path)
    if not path.is_file():
        raise GraphError(f"{path}: no such graph file (build one with `kg build`)")
    fmt = rdflib.util.guess_format(str(path)) or "turtle"
    g = Graph()
    try:
        g.parse(path, format=fmt)
    except Exception as e:  # rdflib raises many parser-specific types
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise GraphError(f"{path}: cannot parse as {fmt}: {msg[:200]}") from None
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    return g
