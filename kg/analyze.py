"""Graph analytics with networkx: what matters most, what clusters together, how two things connect.

Everything here works on one networkx graph made by `to_networkx` from the RDF graph: papers and entities
are nodes, each paper -> entity link is an edge carrying its link kinds, evidence sentences and confidences,
and ``kg:variantOf`` joins a model to its family. On it:

- `rank_entities` ranks entities per type by PageRank over the paper-entity links (degree breaks ties);
- `find_topics` finds research areas: Louvain communities (fixed seed) of papers that share entities, each
  named by its most characteristic entities; `add_topics` writes them back as ``kg:Topic`` nodes;
- `find_path` gives the shortest connection between two papers or entities, hop by hop with evidence.

Examples
--------
>>> from rdflib import Graph, Literal, RDF, RDFS
>>> from rdflib.namespace import DCTERMS
>>> from kg.vocab import KG, KGR
>>> g = Graph()
>>> for i in range(3):
...     p = KGR[f"paper/p{i}"]
...     _ = g.add((p, RDF.type, KG.Paper)).add((p, DCTERMS.title, Literal(f"Paper {i}")))
...     _ = g.add((p, KG.usesModel, KGR["model/gpt-4"]))
>>> _ = g.add((KGR["model/gpt-4"], RDF.type, KG.Model)).add((KGR["model/gpt-4"], RDFS.label, Literal("GPT-4")))
>>> G = to_networkx(g)
>>> G.nodes[str(KGR["model/gpt-4"])]["label"], G.degree(str(KGR["model/gpt-4"]))
('GPT-4', 3)
>>> [r.label for r in rank_entities(G)["Model"]]
['GPT-4']
>>> [h.kind for h in find_path(G, "Paper 0", "Paper 2")]
['usesModel', 'usesModel']
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

import networkx as nx
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from .errors import GraphError
from .vocab import KG, KGR, LINK_PROPERTIES

__all__ = ["SEED", "RANK_TYPES", "Ranked", "Topic", "Hop", "Analysis", "load_graph", "node_type", "to_networkx",
           "link_graph", "rank_entities", "paper_projection", "find_topics", "add_topics", "read_topics",
           "graph_topics", "resolve_node", "find_path", "format_path", "analyze", "format_analysis",
           "analysis_json"]

SEED = 42
"""Seed of the Louvain community search: the same graph always gives the same research areas."""

RANK_TYPES = ("Method", "Model", "Benchmark", "Dataset", "Hardware", "Task")
"""Entity types ranked by `rank_entities`, in display order ("Dataset" means datasets that are not benchmarks)."""

VARIANT_OF = "variantOf"
_KIND_ORDER = {k: i for i, k in enumerate([*LINK_PROPERTIES, VARIANT_OF])}
_TYPE_PRIORITY = ("Paper", "Model", "Method", "Hardware", "Task", "Benchmark", "Dataset", "Metric")
_PROPS = {v: k for k, v in LINK_PROPERTIES.items()}


@dataclass(frozen=True)
class Ranked:
    """An entity's place in a centrality ranking."""

    iri: str
    label: str
    type: str
    pagerank: float
    papers: int


@dataclass(frozen=True)
class Topic:
    """A research area: a community of papers named by its most characteristic entities."""

    iri: str
    label: str
    entities: tuple  # ((iri, label), ...) most characteristic first
    papers: tuple  # paper IRIs, sorted


@dataclass(frozen=True)
class Hop:
    """One step of a path: `source` to `target` over a link of `kind`.

    `forward` is True when the link points from source to target as stored in the graph (paper -> entity,
    model -> family), False when the path walks it backwards.
    """

    source: str
    source_label: str
    target: str
    target_label: str
    kind: str
    forward: bool
    evidence: str | None = None
    confidence: float | None = None


@dataclass
class Analysis:
    """What `kg analyze` reports: counts, the most central entities per type and the research areas."""

    papers: int = 0
    entities: int = 0
    links: int = 0
    central: dict = field(default_factory=dict)  # type -> [Ranked]
    topics: list = field(default_factory=list)  # [Topic]
    titles: dict = field(default_factory=dict)  # paper IRI -> title


# ----------------------------------------------------------------------------------------------- loading

def load_graph(graph: Path | None = None, store: Path | None = None) -> Graph:
    """Read the graph to analyse: an RDF file, or a store directory.

    A store directory is either a `kg build` output directory (its ``graph.ttl`` is read) or an on-disk
    pyoxigraph store (all its quads are merged into one graph); `kg.export.read_source` reads both.
    """
    from .graph import read_graph

    if store is None:
        return read_graph(graph)
    from .export import read_source

    return read_source(store=store)


# ------------------------------------------------------------------------------------- RDF -> networkx

def node_type(g: Graph, node) -> str | None:
    """The one class name a node is shown as: Paper, Model, Method, Hardware, Task, Benchmark, Dataset, Metric."""
    types = {str(t).rsplit("#", 1)[-1] for t in g.objects(node, RDF.type) if str(t).startswith(str(KG._NS))}
    for name in _TYPE_PRIORITY:
        if name in types:
            return name
    return None


def _label(g: Graph, node, ntype) -> str:
    if ntype == "Paper":
        value = g.value(node, DCTERMS.title)
    else:
        value = g.value(node, RDFS.label)
    return str(value) if value is not None else str(node).rsplit("/", 1)[-1]


def to_networkx(g: Graph) -> nx.Graph:
    """The paper-entity graph of `g` as an undirected networkx graph; every analysis here uses it.

    Nodes are IRIs (strings) with ``type``, ``label``, ``aliases`` and, for papers, ``date``, ``url`` and
    ``identifier``. An edge joins a paper to each entity it links to; its ``links`` attribute lists every
    link between the two as ``{"kind", "subject", "evidence", "confidence"}`` (most confident first) and
    ``kind`` is the first one's. ``kg:variantOf`` edges join a model to its family (kind ``variantOf``).
    Nodes and edges are inserted in sorted order, so algorithms that depend on order are deterministic.
    """
    evidence = {}
    for st in g.subjects(RDF.type, RDF.Statement):
        s, p, o = g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object)
        if p in _PROPS:
            conf = g.value(st, KG.confidence)
            ev = g.value(st, KG.evidence)
            evidence[(s, p, o)] = (str(ev) if ev is not None else None,
                                   float(conf.toPython()) if conf is not None else None)
    edges: dict[tuple[str, str], list] = defaultdict(list)
    for prop, kind in _PROPS.items():
        for s, o in g.subject_objects(prop):
            ev, conf = evidence.get((s, prop, o), (None, None))
            edges[(str(s), str(o))].append({"kind": kind, "subject": str(s), "evidence": ev, "confidence": conf})
    for s, o in g.subject_objects(KG.variantOf):
        edges[(str(s), str(o))].append({"kind": VARIANT_OF, "subject": str(s), "evidence": None, "confidence": None})
    nodes = {URIRef(n) for pair in edges for n in pair} | set(g.subjects(RDF.type, KG.Paper))
    G = nx.Graph()
    for node in sorted(nodes, key=str):
        ntype = node_type(g, node)
        attrs = {"type": ntype or "Entity", "label": _label(g, node, ntype),
                 "aliases": tuple(sorted(str(a) for a in g.objects(node, SKOS.altLabel)))}
        if ntype == "Paper":
            date = g.value(node, DCTERMS.date)
            ident = g.value(node, DCTERMS.identifier)
            url = g.value(node, URIRef("http://schema.org/url"))
            attrs.update(date=str(date) if date is not None else None,
                         identifier=str(ident) if ident is not None else None,
                         url=str(url) if url is not None else None)
        G.add_node(str(node), **attrs)
    for (s, o) in sorted(edges):
        if G.has_edge(s, o):  # a link both ways between two nodes (never for paper -> entity)
            links = G[s][o]["links"] + edges[(s, o)]
        else:
            links = edges[(s, o)]
        links = sorted(links, key=lambda d: (-(d["confidence"] or 0), _KIND_ORDER.get(d["kind"], 99), d["subject"]))
        G.add_edge(s, o, links=links, kind=links[0]["kind"])
    return G


def link_graph(G: nx.Graph) -> nx.Graph:
    """The paper -> entity links of `G` only (no variantOf edges, no isolated nodes): a bipartite view."""
    return G.edge_subgraph((u, v) for u, v, k in G.edges(data="kind") if k != VARIANT_OF)


def _papers(G: nx.Graph) -> list[str]:
    return [n for n, t in G.nodes(data="type") if t == "Paper"]


def _rank_group(G: nx.Graph, node) -> str:
    return G.nodes[node]["type"]


# --------------------------------------------------------------------------------------------- centrality

def rank_entities(G: nx.Graph, top: int | None = 5, types=RANK_TYPES) -> dict[str, list[Ranked]]:
    """The most central entities of each type: PageRank over the paper-entity links, ties broken by degree.

    The degree counted is the number of papers linking to the entity. Scores are rounded before comparing,
    so float noise never decides an order; remaining ties go by label.
    """
    H = link_graph(G)
    if H.number_of_edges() == 0:
        return {t: [] for t in types}
    pr = nx.pagerank(H, alpha=0.85)
    ranked = defaultdict(list)
    for node in H:
        t = G.nodes[node]["type"]
        if t in types and t != "Paper":
            papers = sum(1 for nb in H[node] if G.nodes[nb]["type"] == "Paper")
            ranked[t].append(Ranked(node, G.nodes[node]["label"], t, pr[node], papers))
    out = {}
    for t in types:
        items = sorted(ranked.get(t, []), key=lambda r: (-round(r.pagerank, 9), -r.papers, r.label.casefold(), r.iri))
        out[t] = items[:top] if top is not None else items
    return out


# -------------------------------------------------------------------------------------------- communities

def paper_projection(G: nx.Graph) -> nx.Graph:
    """Papers joined by the entities they share, weighted as in Newman's collaboration networks.

    An entity linked by d papers adds 1/(d - 1) to the weight between each pair of them, so a rare shared
    benchmark ties two papers more than a ubiquitous one ("GPU") does.
    """
    H = link_graph(G)
    P = nx.Graph()
    P.add_nodes_from(_papers(G))
    weights = Counter()
    for node in H:
        if G.nodes[node]["type"] == "Paper":
            continue
        papers = sorted(nb for nb in H[node] if G.nodes[nb]["type"] == "Paper")
        d = len(papers)
        for i in range(d):
            for j in range(i + 1, d):
                weights[(papers[i], papers[j])] += 1.0 / (d - 1)
    for (a, b), w in sorted(weights.items()):
        P.add_edge(a, b, weight=round(w, 9))
    return P


def _topic_iri(entity_iris) -> str:
    slug = "--".join(quote(iri.rsplit("/", 1)[-1], safe="-._~%") for iri in entity_iris)
    if not slug or len(slug) > 120:
        slug = "h-" + hashlib.sha1("\x1f".join(entity_iris).encode("utf-8")).hexdigest()[:16]
    return str(KGR[f"topic/{slug}"])


def _name_topic(G: nx.Graph, members, df, n_papers, names: int):
    """The entities most characteristic of `members`: frequency inside times rarity overall (tf-idf)."""
    H = link_graph(G)
    inside = Counter()
    for p in members:
        if p in H:
            inside.update(nb for nb in H[p] if G.nodes[nb]["type"] != "Paper")
    shared = 2 if len(members) > 1 else 1

    def key(e):
        score = inside[e] / len(members) * math.log((n_papers + 1) / df[e])
        return (inside[e] < shared, -round(score, 9), G.nodes[e]["label"].casefold(), e)

    return sorted(inside, key=key)[:names]


def find_topics(G: nx.Graph, seed: int = SEED, min_size: int = 2, names: int = 3,
                resolution: float = 1.0) -> list[Topic]:
    """Research areas: Louvain communities of `paper_projection(G)`, each named by its top entities.

    Communities with fewer than `min_size` papers are dropped (a lone paper is not an area). Areas come
    largest first; each is named by its `names` most characteristic entities, joined by " · ".
    """
    P = paper_projection(G)
    if P.number_of_edges() == 0:
        return []
    communities = nx.community.louvain_communities(P, weight="weight", resolution=resolution, seed=seed)
    communities = [sorted(c) for c in communities if len(c) >= min_size]
    communities.sort(key=lambda c: (-len(c), c[0]))
    H = link_graph(G)
    df = {n: sum(1 for nb in H[n] if G.nodes[nb]["type"] == "Paper") for n in H if G.nodes[n]["type"] != "Paper"}
    n_papers = sum(1 for p in _papers(G) if p in H)
    topics, used = [], set()
    for members in communities:
        ents = _name_topic(G, members, df, n_papers, names)
        iri = _topic_iri(ents)
        n = 2
        while iri in used:
            iri = _topic_iri(ents) + f"-{n}"
            n += 1
        used.add(iri)
        label = " · ".join(G.nodes[e]["label"] for e in ents)
        topics.append(Topic(iri, label, tuple((e, G.nodes[e]["label"]) for e in ents), tuple(members)))
    return topics


def add_topics(g: Graph, topics: list[Topic] | None = None) -> list[Topic]:
    """Write research areas into `g` as ``kg:Topic`` nodes with ``kg:inTopic`` links from their papers.

    Computes them with `find_topics` unless given. Topics already in `g` are replaced, so running this twice
    leaves one set.
    """
    if topics is None:
        topics = find_topics(to_networkx(g))
    for t in set(g.subjects(RDF.type, KG.Topic)):
        g.remove((t, None, None))
        g.remove((None, None, t))
    g.remove((None, KG.inTopic, None))
    for topic in topics:
        t = URIRef(topic.iri)
        g.add((t, RDF.type, KG.Topic))
        g.add((t, RDFS.label, Literal(topic.label)))
        for e, _ in topic.entities:
            g.add((t, KG.keyEntity, URIRef(e)))
        for p in topic.papers:
            g.add((URIRef(p), KG.inTopic, t))
    return topics


def read_topics(g: Graph) -> list[Topic]:
    """The ``kg:Topic`` nodes of `g` (as `add_topics` wrote them), largest first."""
    topics = []
    for t in set(g.subjects(RDF.type, KG.Topic)):
        label = str(g.value(t, RDFS.label) or t)
        parts = label.split(" · ")
        ents = []
        for e in g.objects(t, KG.keyEntity):
            elabel = str(g.value(e, RDFS.label) or e)
            ents.append((parts.index(elabel) if elabel in parts else len(parts), str(e), elabel))
        ents.sort()
        papers = tuple(sorted(str(p) for p in g.subjects(KG.inTopic, t)))
        topics.append(Topic(str(t), label, tuple((e, lab) for _, e, lab in ents), papers))
    topics.sort(key=lambda t: (-len(t.papers), t.papers[:1], t.iri))
    return topics


def graph_topics(g: Graph, G: nx.Graph | None = None) -> list[Topic]:
    """The research areas of `g`: those stored in it by `kg build`, else computed now."""
    return read_topics(g) or find_topics(G if G is not None else to_networkx(g))


# -------------------------------------------------------------------------------------------------- paths

def _names(G: nx.Graph, node) -> list[str]:
    d = G.nodes[node]
    names = [d["label"], *d.get("aliases", ())]
    if d.get("identifier"):
        names.append(d["identifier"])
    return names


def _loose(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def resolve_node(G: nx.Graph, name: str) -> list[str]:
    """The nodes a user means by `name`: an IRI, or a label, alias, paper title or identifier (any case).

    Raises GraphError naming close matches when nothing matches.
    """
    if name in G:
        return [name]
    want = name.strip().casefold()
    found = sorted(n for n in G if any(want == x.casefold() for x in _names(G, n)))
    if not found:  # "deepseek prover" finds DeepSeek-Prover
        loose = _loose(want)
        found = sorted(n for n in G if loose and any(loose == _loose(x) for x in _names(G, n)))
    if found:
        return found
    display = {}
    for n in G:
        for x in _names(G, n):
            display.setdefault(x.casefold(), x)
    close = difflib.get_close_matches(want, sorted(display), n=5, cutoff=0.6)
    if len(close) < 5 and len(want) >= 3:
        close += [k for k in sorted(display, key=lambda k: (len(k), k)) if want in k and k not in close][:5 - len(close)]
    hint = "; close matches: " + ", ".join(_short(display[c], 50) for c in close) if close else \
        "; see `kg stats` for names"
    raise GraphError(f"no paper or entity named {name!r} in the graph{hint}")


def _weight(u, v, d) -> float:
    # hop count first; among equally short paths prefer confident links
    conf = d["links"][0]["confidence"]
    return 1.0 + (1.0 - (conf if conf is not None else 0.5)) / 100.0


def find_path(G: nx.Graph, a: str, b: str) -> list[Hop] | None:
    """The shortest connection from `a` to `b` (names as in `resolve_node`), or None if there is none.

    Among equally short paths the one through the most confident links wins.
    """
    sources, targets = resolve_node(G, a), resolve_node(G, b)
    if set(sources) & set(targets):
        raise GraphError(f"{a!r} and {b!r} name the same node; give two different papers or entities")
    dist, paths = nx.multi_source_dijkstra(G, set(sources), weight=_weight)
    reached = [t for t in targets if t in dist]
    if not reached:
        return None
    best = min(reached, key=lambda t: (round(dist[t], 9), paths[t][0], t))
    path = paths[best]
    hops = []
    for u, v in zip(path, path[1:]):
        link = G[u][v]["links"][0]
        hops.append(Hop(u, G.nodes[u]["label"], v, G.nodes[v]["label"], link["kind"], link["subject"] == u,
                        link["evidence"], link["confidence"]))
    return hops


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def format_path(hops: list[Hop]) -> str:
    """One line per hop: ``A --usesModel--> B   "evidence sentence" (0.85)``; backwards links as ``<--``."""
    lines = []
    for h in hops:
        s, t = _short(h.source_label), _short(h.target_label)
        arrow = f"--{h.kind}-->" if h.forward else f"<--{h.kind}--"
        line = f"{s} {arrow} {t}"
        if h.evidence:
            line += f'   "{h.evidence}"'
        elif h.kind == VARIANT_OF:
            line += "   (model family)"
        if h.confidence is not None:
            line += f" ({h.confidence:.2f})"
        lines.append(line)
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------- analysis

def analyze(g: Graph, top: int = 5) -> Analysis:
    """Counts, the `top` most central entities per type and the research areas of `g`."""
    G = to_networkx(g)
    H = link_graph(G)
    papers = _papers(G)
    return Analysis(
        papers=len(papers),
        entities=sum(1 for n in G if G.nodes[n]["type"] != "Paper"),
        links=sum(len(d) for _, _, d in H.edges(data="links")),
        central={t: r for t, r in rank_entities(G, top=top).items() if r},
        topics=graph_topics(g, G),
        titles={p: G.nodes[p]["label"] for p in papers},
    )


def format_analysis(a: Analysis, papers_per_topic: int = 3) -> str:
    """`kg analyze`'s table: most central entities per type, then research areas with sample papers."""
    lines = [f"{a.papers} papers, {a.entities} entities, {a.links} links", "",
             "Most central entities (PageRank over paper links; papers = how many papers link to it)"]
    for t, items in a.central.items():
        lines.append(f"  {t}")
        width = max(len(_short(r.label, 40)) for r in items)
        for i, r in enumerate(items, 1):
            noun = "paper" if r.papers == 1 else "papers"
            lines.append(f"    {i:>2}. {_short(r.label, 40):<{width}}  {r.pagerank:.4f}  {r.papers:>3} {noun}")
    n_in = sum(len(t.papers) for t in a.topics)
    lines += ["", f"Research areas (Louvain, seed {SEED}): {len(a.topics)} areas covering {n_in} of {a.papers} papers"]
    for i, t in enumerate(a.topics, 1):
        lines.append(f"  {i:>2}. {t.label}  ({len(t.papers)} papers)")
        titles = sorted(a.titles.get(p, p) for p in t.papers)
        for title in titles[:papers_per_topic]:
            lines.append(f"        - {_short(title, 90)}")
        if len(titles) > papers_per_topic:
            lines.append(f"        ... and {len(titles) - papers_per_topic} more")
    return "\n".join(lines)


def analysis_json(a: Analysis) -> str:
    """`kg analyze --format json`: the same content as the table, machine-readable."""
    data = {
        "papers": a.papers, "entities": a.entities, "links": a.links,
        "central": {t: [{**asdict(r), "pagerank": round(r.pagerank, 6)} for r in items] for t, items in a.central.items()},
        "topics": [{"iri": t.iri, "label": t.label,
                    "entities": [{"iri": e, "label": lab} for e, lab in t.entities],
                    "papers": [{"iri": p, "title": a.titles.get(p, p)} for p in t.papers]} for t in a.topics],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
