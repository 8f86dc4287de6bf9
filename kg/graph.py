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
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, Namespace

from .errors import GraphError
from .extract.names import entity_key
from .ingest import Paper, normalise_title
from .vocab import ENTITY_CLASSES, KG, KGR, LINK_PROPERTIES, PREFIXES

SCHEMA = Namespace("http://schema.org/")

__all__ = ["build_graph", "paper_iri", "entity_iri", "GraphBuilder", "write_graph", "read_graph",
           "atomic_write", "SCHEMA"]


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
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise GraphError(f"not a decimal number: {value!r}") from None
    if not d.is_finite():
        raise GraphError(f"not a decimal number: {value!r}")
    text = format(d, "f")
    return Literal(text if "." in text else text + ".0", datatype=XSD.decimal)


class GraphBuilder:
    """Accumulates papers and extractions; `graph()` renders them as RDF.

    Entity names are chosen across all papers at the end (the most frequent spelling wins, ties broken
    alphabetically), so the order papers arrive in does not change the output.
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

    def _entity(self, ent) -> tuple[str, str]:
        etype = "Dataset" if ent.type == "Benchmark" else ent.type
        ident = (etype, ent.key)
        self.forms[ident][ent.name] += 1
        self.aliases[ident].update(ent.aliases)
        if ent.benchmark:
            self.benchmark.add(ident)
        if ent.family and ident not in self.family:
            self.family[ident] = ent.family
        if ent.parameters:
            self.params[ident] = ent.parameters
        return ident

    def add(self, paper: Paper, extraction) -> None:
        piri = paper_iri(paper)
        self.papers[piri] = paper
        for link in extraction.links:
            ident = self._entity(link.entity)
            key = (piri, link.kind, ident)
            old = self.links.get(key)
            if old is None or link.confidence > old[1]:
                self.links[key] = (link.evidence, link.confidence, link.rule)
        for r in extraction.results:
            ds = self._entity(r.dataset)
            system = self._entity(r.system) if r.system is not None else None
            self.results[piri].append((ds, r, system))

    def graph(self) -> Graph:
        g = Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns, override=True)
        g.bind("dcterms", DCTERMS, override=True)
        for piri, paper in self.papers.items():
            self._paper(g, piri, paper)
        # model families become entities too, linked by variantOf
        for ident, chain in sorted(self.family.items()):
            child = ident
            for fam_name in chain:
                parent = ("Model", entity_key(fam_name))
                self.forms[parent][fam_name] = self.forms[parent].get(fam_name, 0)
                g.add((entity_iri(*child), KG.variantOf, entity_iri(*parent)))
                child = parent
        for ident in sorted(self.forms):
            self._entity_node(g, ident)
        for (piri, kind, ident), (evidence, confidence, rule) in sorted(self.links.items()):
            obj = entity_iri(*ident)
            prop = LINK_PROPERTIES[kind]
            g.add((piri, prop, obj))
            st = KGR[f"link/{_digest(str(piri), kind, str(obj))}"]
            g.add((st, RDF.type, RDF.Statement))
            g.add((st, RDF.subject, piri))
            g.add((st, RDF.predicate, prop))
            g.add((st, RDF.object, obj))
            g.add((st, KG.evidence, Literal(evidence)))
            g.add((st, KG.confidence, _decimal(round(confidence, 2))))
            g.add((st, KG.extractor, Literal(rule)))
            g.add((st, PROV.wasDerivedFrom, piri))
        for piri in sorted(self.results):
            seen = set()
            for n, (ds, r, system) in enumerate(self.results[piri], 1):
                sig = (ds, r.value, r.unit, r.kind, system, r.evidence)
                if sig in seen:
                    continue
                seen.add(sig)
                res = KGR[f"result/{str(piri).rsplit('/', 1)[-1]}-{_digest(*map(str, sig), n=10)}"]
                g.add((piri, KG.hasResult, res))
                g.add((res, RDF.type, KG.Result))
                g.add((res, KG.onDataset, entity_iri(*ds)))
                g.add((res, KG.value, _decimal(r.value)))
                if r.unit:
                    g.add((res, KG.unit, Literal(r.unit)))
                g.add((res, KG.resultKind, Literal(r.kind)))
                if system is not None:
                    g.add((res, KG.forSystem, entity_iri(*system)))
                if r.metric:
                    miri = entity_iri("Metric", entity_key(r.metric))
                    g.add((res, KG.metric, miri))
                    g.add((miri, RDF.type, KG.Metric))
                    g.add((miri, RDFS.label, Literal(r.metric)))
                g.add((res, KG.evidence, Literal(r.evidence)))
                g.add((res, KG.confidence, _decimal(round(r.confidence, 2))))
                g.add((res, PROV.wasDerivedFrom, piri))
        return g

    def _paper(self, g: Graph, piri: URIRef, paper: Paper) -> None:
        g.add((piri, RDF.type, KG.Paper))
        g.add((piri, DCTERMS.title, Literal(paper.title)))
        g.add((piri, DCTERMS.abstract, Literal(paper.abstract)))
        if paper.id:
            g.add((piri, DCTERMS.identifier, Literal(paper.id)))
        if paper.date:
            g.add((piri, DCTERMS.date, Literal(paper.date, datatype=XSD.date)))
        if paper.url:
            g.add((piri, SCHEMA.url, Literal(paper.url, datatype=XSD.anyURI)))
        if paper.doi:
            g.add((piri, SCHEMA.sameAs, Literal(f"https://doi.org/{paper.doi}", datatype=XSD.anyURI)))
        for a in paper.authors:
            g.add((piri, DCTERMS.creator, Literal(a)))
        for c in paper.categories:
            g.add((piri, KG.category, Literal(c)))
        if paper.source:
            g.add((piri, KG.sourceFile, Literal(paper.source)))

    def _entity_node(self, g: Graph, ident) -> None:
        etype, key = ident
        iri = entity_iri(etype, key)
        forms = self.forms[ident]
        label = sorted(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        g.add((iri, RDF.type, ENTITY_CLASSES[etype]))
        if ident in self.benchmark:
            g.add((iri, RDF.type, KG.Benchmark))
        g.add((iri, RDFS.label, Literal(label)))
        for alt in sorted((set(forms) | self.aliases[ident]) - {label}):
            g.add((iri, SKOS.altLabel, Literal(alt)))
        if ident in self.params:
            g.add((iri, KG.parameterCount, _decimal(int(self.params[ident]))))


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
