"""Counts over a built graph: papers, entities per type, links per kind, results, most-linked entities."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, Graph

from .vocab import KG, LINK_PROPERTIES

__all__ = ["graph_stats", "GraphStats", "format_stats"]

TYPES = ("Method", "Model", "Dataset", "Hardware", "Task")


@dataclass
class GraphStats:
    papers: int = 0
    triples: int = 0
    entities: dict = field(default_factory=dict)
    links: dict = field(default_factory=dict)
    results: int = 0
    top: dict = field(default_factory=dict)  # type -> [(label, paper count)]


def graph_stats(g: Graph, top: int = 5) -> GraphStats:
    """Count what the graph holds.

    >>> from rdflib import Graph
    >>> graph_stats(Graph()).papers
    0
    """
    st = GraphStats(triples=len(g))
    st.papers = len(set(g.subjects(RDF.type, KG.Paper)))
    for t in TYPES:
        st.entities[t] = len(set(g.subjects(RDF.type, getattr(KG, t))))
    papers_of = defaultdict(set)
    for kind, prop in LINK_PROPERTIES.items():
        n = 0
        for s, o in g.subject_objects(prop):
            n += 1
            papers_of[o].add(s)
        st.links[kind] = n
    st.results = len(set(g.subjects(RDF.type, KG.Result)))
    for t in TYPES:
        ranked = []
        for e in set(g.subjects(RDF.type, getattr(KG, t))):
            if papers_of.get(e):
                ranked.append((str(g.value(e, RDFS.label) or e), len(papers_of[e])))
        ranked.sort(key=lambda x: (-x[1], x[0]))
        st.top[t] = ranked[:top]
    return st


def format_stats(st: GraphStats) -> str:
    lines = [f"papers   {st.papers}", f"triples  {st.triples}", f"results  {st.results}", "entities"]
    lines += [f"  {t:<9}{n:>6}" for t, n in st.entities.items()]
    lines.append("links")
    lines += [f"  {k:<16}{n:>6}" for k, n in st.links.items()]
    lines.append("most linked (papers)")
    for t, ranked in st.top.items():
        if ranked:
            lines.append(f"  {t}: " + ", ".join(f"{name} ({n})" for name, n in ranked))
    return "\n".join(lines)
