"""A VoID/DCAT description of a built graph: what it holds, what it was made from, and by which tool.

Every graph `kg build` writes carries this description, so a tool that loads the file can tell what it
got without counting: the number of triples, entities per class (``void:classPartition``) and triples per
property (``void:propertyPartition``), the source files by name and SHA-256 checksum (``prov:used`` by the
build activity, each an ``spdx:File``) and the paperkg version (``prov:wasAssociatedWith`` a
``prov:SoftwareAgent``).

The description has no wall-clock timestamp and every node has an IRI made from its content (no blank
nodes), so rebuilding from the same input gives the same bytes. All its nodes live under
``https://w3id.org/paperkg/id/void/``; the counts are of the other triples (the description describes
the data, not itself).

Examples
--------
>>> from rdflib import Graph, Literal
>>> from kg.vocab import KG, KGR
>>> g = Graph()
>>> _ = g.add((KGR["paper/1"], RDF.type, KG.Paper))
>>> d = describe_graph(g, sources=[("papers.jsonl", "00" * 32)], version="0.1.0")
>>> int(d.value(DATASET, VOID.triples))
1
>>> part = class_partition_iri(KG.Paper)
>>> str(part), int(d.value(part, VOID.entities))
('https://w3id.org/paperkg/id/void/class/kg-Paper', 1)
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, VOID, DefinedNamespace

from . import __version__
from .vocab import KG, KGR, PREFIXES

__all__ = ["DATASET", "SPDX", "VOID_PREFIXES", "describe_graph", "count_graph", "describe_counts", "add_void",
           "file_sources", "is_description", "class_partition_iri", "property_partition_iri"]

SCHEMA = Namespace("http://schema.org/")

# Every node of the description lives under kgr:void/ (no entity type is called "void", so no entity IRI
# can collide); its subject has one stable IRI, so queries can ask for it by name.
_DESCRIPTION_SPACE = str(KGR["void/"])
DATASET = KGR["void/dataset"]


class SPDX(DefinedNamespace):
    """The SPDX terms used for source-file checksums (https://spdx.org/rdf/terms)."""

    _NS = Namespace("http://spdx.org/rdf/terms#")
    _fail = True

    File: URIRef
    fileName: URIRef
    Checksum: URIRef
    checksum: URIRef
    algorithm: URIRef
    checksumValue: URIRef
    checksumAlgorithm_sha256: URIRef


# Prefixes the description uses beyond kg.vocab.PREFIXES; bound so Turtle output stays readable.
VOID_PREFIXES = {
    "void": str(VOID),
    "dcat": str(DCAT),
    "spdx": str(SPDX._NS),
}
ONTOLOGY_IRI = URIRef(str(KG._NS).rstrip("#"))


def _term_slug(term: URIRef) -> str:
    """A readable, IRI-safe name for a class or property: its prefixed name, or a hash if it has none."""
    iri = str(term)
    for prefix, ns in sorted({**PREFIXES, **VOID_PREFIXES}.items(), key=lambda kv: -len(kv[1])):
        local = iri[len(ns):]
        if iri.startswith(ns) and local:
            return f"{prefix}-{quote(local, safe='-._~')}"
    return "h-" + hashlib.sha1(iri.encode("utf-8")).hexdigest()[:16]


def class_partition_iri(cls: URIRef) -> URIRef:
    """The IRI of the class partition of `cls` (its entity count lives there)."""
    return KGR[f"void/class/{_term_slug(cls)}"]


def property_partition_iri(prop: URIRef) -> URIRef:
    """The IRI of the property partition of `prop` (its triple count lives there)."""
    return KGR[f"void/property/{_term_slug(prop)}"]


def is_description(triple) -> bool:
    """True for a triple of the dataset description itself (its subject is under kgr:void/)."""
    return str(triple[0]).startswith(_DESCRIPTION_SPACE)


def file_sources(files: Iterable[str | Path]) -> list[tuple[str, str]]:
    """(name, SHA-256 hex digest) of each file, read in chunks; the name only, so paths don't leak in."""
    out = []
    for f in files:
        h = hashlib.sha256()
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        out.append((Path(f).name, h.hexdigest()))
    return out


def describe_graph(g: Graph, sources: Iterable[tuple[str, str]] = (), version: str = __version__) -> Graph:
    """The VoID/DCAT description of `g` (ignoring any description `g` already has), as a new graph.

    `sources` are (file name, SHA-256 hex) pairs of the input files; `version` is the paperkg version.
    """
    return describe_counts(count_graph(g), sources, version)


def count_graph(g: Graph) -> dict:
    """What a description states of `g` (its own description left out): ``triples``, ``entities`` (distinct
    subjects under the instance namespace), ``subjects``, ``properties`` (IRI -> triples) and ``classes``
    (IRI -> entities). `kg.build` keeps the same counts up to date as it writes a store."""
    triples = 0
    subjects: set = set()
    per_property: Counter = Counter()
    members: dict = defaultdict(set)
    for t in g:
        if is_description(t):
            continue
        s, p, o = t
        triples += 1
        subjects.add(s)
        per_property[p] += 1
        if p == RDF.type:
            members[o].add(s)
    return {"triples": triples, "entities": sum(1 for s in subjects if str(s).startswith(str(KGR))),
            "subjects": len(subjects), "properties": dict(per_property),
            "classes": {cls: len(ents) for cls, ents in members.items()}}


def describe_counts(counts: dict, sources: Iterable[tuple[str, str]] = (), version: str = __version__) -> Graph:
    """The description of a graph with the given counts (see `count_graph`) made from `sources`."""
    d = Graph()
    for prefix, ns in {**PREFIXES, **VOID_PREFIXES}.items():
        d.bind(prefix, ns, override=True)
    d.add((DATASET, RDF.type, VOID.Dataset))
    d.add((DATASET, RDF.type, DCAT.Dataset))
    d.add((DATASET, DCTERMS.title, Literal("paperkg knowledge graph", lang="en")))
    d.add((DATASET, DCTERMS.description, Literal(
        "Papers linked to the methods, models, datasets, hardware and tasks they name, with the results "
        "they report and the evidence sentence of every link, extracted by paperkg.", lang="en")))
    d.add((DATASET, DCTERMS.conformsTo, ONTOLOGY_IRI))
    d.add((DATASET, VOID.vocabulary, ONTOLOGY_IRI))
    d.add((DATASET, VOID.uriSpace, Literal(str(KGR))))
    d.add((DATASET, VOID.triples, Literal(counts["triples"])))
    d.add((DATASET, VOID.entities, Literal(counts["entities"])))
    d.add((DATASET, VOID.distinctSubjects, Literal(counts["subjects"])))
    d.add((DATASET, VOID.classes, Literal(len(counts["classes"]))))
    d.add((DATASET, VOID.properties, Literal(len(counts["properties"]))))
    for cls, n in counts["classes"].items():
        part = class_partition_iri(cls)
        d.add((DATASET, VOID.classPartition, part))
        d.add((part, VOID["class"], cls))
        d.add((part, VOID.entities, Literal(n)))
    for prop, n in counts["properties"].items():
        part = property_partition_iri(prop)
        d.add((DATASET, VOID.propertyPartition, part))
        d.add((part, VOID.property, prop))
        d.add((part, VOID.triples, Literal(n)))

    tool = KGR[f"void/tool/paperkg-{quote(version, safe='-._~')}"]
    build = KGR["void/build"]
    d.add((DATASET, PROV.wasGeneratedBy, build))
    d.add((DATASET, PROV.wasAttributedTo, tool))
    d.add((build, RDF.type, PROV.Activity))
    d.add((build, PROV.wasAssociatedWith, tool))
    d.add((tool, RDF.type, PROV.SoftwareAgent))
    d.add((tool, SCHEMA.name, Literal("paperkg")))
    d.add((tool, SCHEMA.softwareVersion, Literal(version)))
    for name, sha256 in sorted(set(sources)):
        src_key = hashlib.sha1("\x1f".join((name, sha256)).encode("utf-8")).hexdigest()[:16]
        src = KGR[f"void/source/{src_key}"]
        checksum = KGR[f"void/checksum/sha256-{sha256}"]
        d.add((build, PROV.used, src))
        d.add((DATASET, PROV.wasDerivedFrom, src))
        d.add((src, RDF.type, PROV.Entity))
        d.add((src, RDF.type, SPDX.File))
        d.add((src, SPDX.fileName, Literal(name)))
        d.add((src, SPDX.checksum, checksum))
        d.add((checksum, RDF.type, SPDX.Checksum))
        d.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        d.add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))
    return d


def add_void(g: Graph, files: Iterable[str | Path] = (), version: str = __version__) -> Graph:
    """Replace `g`'s dataset description with a fresh one for its data and the input `files`; return `g`."""
    description = describe_graph(g, file_sources(files), version)
    for t in [t for t in g if is_description(t)]:
        g.remove(t)
    for prefix, ns in VOID_PREFIXES.items():
        g.bind(prefix, ns, override=True)
    g += description
    return g
