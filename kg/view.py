"""RDF graph -> a self-contained interactive HTML view, rendered with pyvis and a template of our own.

The page works offline from a plain ``file://`` open: vis-network's script and style are inlined from the
copy shipped inside the pyvis package, and nothing is loaded from the network. Node and edge data are built
here (pure functions over the graph, no I/O); the page turns them into tooltips with DOM text nodes, so
labels, titles and evidence sentences are never parsed as HTML.

What the page shows: papers and the entities they link to (methods, models, datasets, benchmarks, hardware,
tasks), plus ``variantOf`` links between models. Results and metrics appear in paper tooltips, not as nodes.

Examples
--------
>>> from kg.ingest import Paper
>>> from kg.extract import Entity, Link, PaperExtraction
>>> from kg.graph import build_graph
>>> gpt4 = Entity(type="Model", key="gpt-4", name="GPT-4", aliases=("GPT4",))
>>> g = build_graph([(Paper(title="FooNet: a paper", abstract="A."),
...                   PaperExtraction(links=[Link("usesModel", gpt4, "We use GPT4.", 0.9, "gazetteer")]))])
>>> view = view_data(g)
>>> [(n["label"], n["kgType"]) for n in view.nodes]
[('GPT-4', 'Model'), ('FooNet', 'Paper')]
>>> [e["label"] for e in view.edges]
['usesModel']
>>> [n["label"] for n in view_data(g, focus="gpt4", depth=0).nodes]
['GPT-4']
"""

from __future__ import annotations

import difflib
import heapq
import json
import re
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from .errors import GraphError, KGError
from .graph import SCHEMA, atomic_write
from .vocab import KG, LINK_PROPERTIES

__all__ = ["CLASS_STYLE", "LINK_STYLE", "DEFAULT_MAX_NODES", "View", "view_data", "find_nodes",
           "render_view", "render_html", "write_html", "vis_options", "screenshot"]

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "graph.html"
CHROMIUM = "/usr/bin/chromium"
DEFAULT_MAX_NODES = 600

# Display class -> (colour, vis shape, legend glyph). Shapes with the label outside, so size shows degree.
CLASS_STYLE = {
    "Paper": ("#4e79a7", "square", "\u25a0"),
    "Method": ("#f28e2b", "dot", "\u25cf"),
    "Model": ("#e15759", "diamond", "\u25c6"),
    "Dataset": ("#76b7b2", "hexagon", "\u2b22"),
    "Benchmark": ("#59a14f", "star", "\u2605"),
    "Hardware": ("#9c755f", "triangleDown", "\u25bc"),
    "Task": ("#b07aa1", "triangle", "\u25b2"),
}
# Link kind -> (colour, width, dashed). `proposes` is drawn dark and thick: it is what a paper contributes.
LINK_STYLE = {
    "proposes": ("#3b3b3b", 2.5, False),
    "usesMethod": ("#f28e2b", 1.2, False),
    "usesModel": ("#e15759", 1.2, False),
    "evaluatedOn": ("#59a14f", 1.2, False),
    "usesDataset": ("#76b7b2", 1.2, False),
    "targetsHardware": ("#9c755f", 1.2, False),
    "addressesTask": ("#b07aa1", 1.2, False),
    "variantOf": ("#9d9d9d", 1.2, True),
}
# Class priority when a node has several rdf:types (Benchmark before its superclass Dataset).
_CLASS_ORDER = ("Paper", "Model", "Method", "Benchmark", "Dataset", "Hardware", "Task")
_KIND_OF = {prop: kind for kind, prop in LINK_PROPERTIES.items()}
_KIND_OF[KG.variantOf] = "variantOf"
_MAX_ALIASES = 12
_MAX_RESULTS = 8
_SAFE_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
_ARXIV_ID = re.compile(r"^\d{4}\.\d{4,5}$")


@dataclass
class View:
    """What the page shows: vis node and edge records plus the legend and the note on what was left out."""

    nodes: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    classes: list = field(default_factory=list)  # legend rows: {name, colour, shape, glyph, count}
    links: list = field(default_factory=list)  # legend rows: {name, colour, dashed, count}
    focus: list = field(default_factory=list)  # ids of the nodes the view was focused on
    total: int = 0  # nodes that matched the selection before the cap
    omitted: int = 0
    note: str = ""

    def summary(self) -> str:
        papers = sum(1 for n in self.nodes if n["kgType"] == "Paper")
        return ", ".join(_count(n, word) for n, word in ((papers, "paper"), (len(self.nodes) - papers, "entity"),
                                                         (len(self.edges), "link")))


def _count(n: int, word: str) -> str:
    if n == 1:
        return f"1 {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


# ---------------------------------------------------------------------------------------------- reading


def _local(term) -> str:
    return str(term).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _class_of(types: set) -> str | None:
    for name in _CLASS_ORDER:
        if getattr(KG, name) in types:
            return name
    return None


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


def _paper_label(title: str) -> str:
    """A short label: the name before a colon ("FooNet: Fast Things" -> "FooNet"), else the start."""
    head = title.split(":", 1)[0].strip()
    if ":" in title and 2 <= len(head) <= 30:
        return head
    return _short(title, 26)


def _safe_url(value) -> str | None:
    s = str(value).strip() if value is not None else ""
    return s if _SAFE_URL.match(s) else None


def _paper_url(g: Graph, node) -> str | None:
    for prop in (SCHEMA.url, SCHEMA.sameAs):
        for v in sorted(g.objects(node, prop), key=str):
            if url := _safe_url(v):
                return url
    ident = str(g.value(node, DCTERMS.identifier) or "")
    return f"https://arxiv.org/abs/{ident}" if _ARXIV_ID.match(ident) else None


def _number(lit) -> str:
    try:
        return format(lit.toPython().normalize(), "f")
    except AttributeError:
        return str(lit)


class _Index:
    """Everything the view needs from the graph, read once: classes, edges with evidence, degrees."""

    def __init__(self, g: Graph):
        self.g = g
        types = defaultdict(set)
        for s, o in g.subject_objects(RDF.type):
            types[s].add(o)
        self.cls = {n: c for n, ts in types.items() if isinstance(n, URIRef) and (c := _class_of(ts))}
        self.label = {}
        for n, c in self.cls.items():
            if c == "Paper":
                self.label[n] = " ".join(str(g.value(n, DCTERMS.title) or _local(n)).split())
            else:
                self.label[n] = str(g.value(n, RDFS.label) or _local(n))
        self.aliases = {n: sorted({str(a) for a in g.objects(n, SKOS.altLabel)} - {self.label[n]})
                        for n in self.cls if self.cls[n] != "Paper"}
        evidence = {}
        for st in g.subjects(RDF.type, RDF.Statement):
            key = (g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object))
            ev, conf = g.value(st, KG.evidence), g.value(st, KG.confidence)
            evidence[key] = (str(ev) if ev is not None else "", float(conf) if conf is not None else None)
        # one edge per (from, to) pair, carrying every link kind between them
        self.edges = defaultdict(list)
        self.papers_of = defaultdict(set)
        for prop, kind in _KIND_OF.items():
            for s, o in g.subject_objects(prop):
                if s in self.cls and o in self.cls and s != o:
                    ev, conf = evidence.get((s, prop, o), ("", None))
                    self.edges[(s, o)].append({"kind": kind, "evidence": ev, "confidence": conf})
                    if kind != "variantOf":
                        self.papers_of[o].add(s)
        for links in self.edges.values():
            links.sort(key=lambda x: (list(LINK_STYLE).index(x["kind"]), x["evidence"]))
        self.adj = defaultdict(set)
        for s, o in self.edges:
            self.adj[s].add(o)
            self.adj[o].add(s)
        self.degree = {n: len(self.adj[n]) for n in self.cls}

    # -- per-node details, for tooltips and the details panel
    def info(self, n) -> dict:
        g, cls = self.g, self.cls[n]
        if cls == "Paper":
            info = {"title": self.label[n]}
            date = g.value(n, DCTERMS.date)
            if date is not None:
                info["date"] = str(date)
            if url := _paper_url(g, n):
                info["url"] = url
            authors = sorted(str(a) for a in g.objects(n, DCTERMS.creator))
            if authors:
                info["authors"] = authors[:6] + ([f"and {len(authors) - 6} more"] if len(authors) > 6 else [])
            results = []
            for r in g.objects(n, KG.hasResult):
                value = g.value(r, KG.value)
                if value is None:
                    continue
                ds = g.value(r, KG.onDataset)
                metric = g.value(r, KG.metric)
                text = _number(value) + (str(g.value(r, KG.unit) or ""))
                if metric is not None:
                    text += " " + str(g.value(metric, RDFS.label) or _local(metric))
                if str(g.value(r, KG.resultKind) or "") == "improvement":
                    text = "+" + text
                where = self.label.get(ds) or (_local(ds) if ds is not None else "")
                results.append(f"{where}: {text}" if where else text)
            areas = sorted(str(g.value(t, RDFS.label) or _local(t)) for t in g.objects(n, KG.inTopic))
            if areas:
                info["areas"] = areas
            results = sorted(set(results))
            if results:
                info["results"] = results[:_MAX_RESULTS]
            return info
        aliases = self.aliases.get(n, [])
        info = {"name": self.label[n], "papers": len(self.papers_of.get(n, ()))}
        if aliases:
            info["aliases"] = aliases[:_MAX_ALIASES]
            if len(aliases) > _MAX_ALIASES:
                info["moreAliases"] = len(aliases) - _MAX_ALIASES
        parents = sorted(self.label[o] for o in g.objects(n, KG.variantOf) if o in self.cls)
        if parents:
            info["variantOf"] = parents
        return info


# --------------------------------------------------------------------------------------------- selecting


def _type_set(types) -> set | None:
    """Display classes named by `types` (case-insensitive; Dataset includes Benchmark)."""
    if not types:
        return None
    names = {c.lower(): c for c in CLASS_STYLE}
    wanted = set()
    for t in types:
        for part in str(t).split(","):
            part = part.strip()
            if not part:
                continue
            if part.lower() not in names:
                raise GraphError(f"unknown type {part!r}: choose from {', '.join(CLASS_STYLE)}")
            wanted.add(names[part.lower()])
    if "Dataset" in wanted:
        wanted.add("Benchmark")
    return wanted


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _find(index: _Index, name: str) -> list:
    want = _fold(name)
    by_label = sorted(n for n in index.cls if _fold(index.label[n]) == want)
    if by_label:
        return by_label
    by_alias = sorted(n for n, al in index.aliases.items() if any(_fold(a) == want for a in al))
    if by_alias:
        return by_alias
    # suggest nodes by their label, whichever of their names came close
    label_of = {}
    for n in sorted(index.cls, key=lambda n: (-index.degree[n], str(n))):
        for x in [index.label[n], *index.aliases.get(n, [])]:
            label_of.setdefault(_fold(x), index.label[n])
    close = [label_of[x] for x in sorted(label_of) if want and want in x and len(x) < 80]
    close += [label_of[x] for x in difflib.get_close_matches(want, sorted(label_of), n=6, cutoff=0.6)]
    close = [_short(x, 60) for x in dict.fromkeys(close)][:6]
    hint = f"; close matches: {', '.join(close)}" if close else ""
    raise GraphError(f"no node is labelled {name!r} (label or alias, any case){hint}")


def find_nodes(g: Graph, name: str) -> list:
    """IRIs of the nodes whose label (or paper title) matches `name` case-insensitively, else its aliases.

    Raises GraphError listing close matches when nothing matches.

    >>> from rdflib import Graph, URIRef, Literal, RDF, RDFS
    >>> g = Graph(); m = URIRef("https://w3id.org/paperkg/id/model/gpt-4")
    >>> g.add((m, RDF.type, KG.Model)); g.add((m, RDFS.label, Literal("GPT-4")))  # doctest: +ELLIPSIS
    <Graph ...>
    >>> find_nodes(g, "gpt-4") == [m]
    True
    """
    return _find(_Index(g), name)


def _select(index: _Index, seeds, depth, types, restrict) -> list:
    """Every node the selection shows, in priority order: nearest the focus first, then most linked."""
    if seeds:
        dist = {s: 0 for s in seeds}
        queue = deque(seeds)
        while queue:
            n = queue.popleft()
            if dist[n] >= depth:
                continue
            for m in sorted(index.adj[n], key=str):
                if m not in dist and (restrict is None or m in restrict):
                    dist[m] = dist[n] + 1
                    queue.append(m)
    else:
        dist = {n: 0 for n in index.cls if restrict is None or n in restrict}
    seed_set = set(seeds)
    chosen = {n for n in dist if types is None or index.cls[n] in types or n in seed_set}
    if types is not None:
        # a view restricted to some types drops what the restriction left unconnected (seeds stay)
        chosen = {n for n in chosen if n in seed_set or index.adj[n] & chosen}
    if seeds:  # nearest first: every kept node then has a kept neighbour one step nearer the focus
        return sorted(chosen, key=lambda n: (dist[n], -index.degree[n], str(n)))
    return _grow(index, chosen)


def _grow(index: _Index, chosen: set) -> list:
    """`chosen` in the order a capped view keeps them: grow from the most linked node, always taking the most
    linked node next to those taken (a new start only when a component is used up). A cut then keeps the
    hubs together with the papers that connect them, instead of hubs floating without their links.
    """
    key = {n: (-index.degree[n], str(n)) for n in chosen}
    starts = iter(sorted(chosen, key=key.get))
    order, seen, frontier = [], set(), []
    while True:
        if not frontier:
            start = next((n for n in starts if n not in seen), None)
            if start is None:
                return order
            seen.add(start)
            frontier.append((key[start], start))
        _, n = heapq.heappop(frontier)
        order.append(n)
        for m in index.adj[n]:
            if m in chosen and m not in seen:
                seen.add(m)
                heapq.heappush(frontier, (key[m], m))


def view_data(g: Graph, *, focus: str | None = None, depth: int = 1, types=None, restrict: Graph | None = None,
              max_nodes: int = DEFAULT_MAX_NODES) -> View:
    """The nodes, edges and legend of the view of `g`.

    `focus` names a node (label or alias, any case) to show with its neighbours up to `depth` links away;
    `types` restricts the classes shown; `restrict` is a subgraph (a CONSTRUCT result) whose nodes and links
    limit the view; at most `max_nodes` nodes are kept, the most linked first (nearest first in a focus
    view), and the view's `note` says what was left out.
    """
    if max_nodes < 1:
        raise GraphError("max_nodes must be at least 1")
    index = _Index(g)
    wanted = _type_set(types)
    allowed = None
    restrict_links = None
    if restrict is not None:
        allowed = {t for t in restrict.all_nodes() if t in index.cls}
        restrict_links = {(s, o) for s, p, o in restrict if p in _KIND_OF}
        if not allowed:
            raise GraphError("the query's result names no paper or entity of the graph")
    seeds = _find(index, focus) if focus else []
    if seeds and allowed is not None:
        seeds = [s for s in seeds if s in allowed] or seeds
    ranked = _select(index, seeds, max(0, depth), wanted, allowed)
    keep, left, total = ranked[:max_nodes], ranked[max_nodes:], len(ranked)
    kept = set(keep)

    view = View(total=total, omitted=total - len(keep), focus=[str(s) for s in seeds if s in kept])
    for n in sorted(keep, key=str):
        cls = index.cls[n]
        colour, shape, _ = CLASS_STYLE[cls]
        label = _paper_label(index.label[n]) if cls == "Paper" else _short(index.label[n], 32)
        view.nodes.append({"id": str(n), "label": label, "kgType": cls, "shape": shape, "color": colour,
                           "value": index.degree[n] + 1, "degree": index.degree[n], "info": index.info(n),
                           "search": sorted({index.label[n], *index.aliases.get(n, [])})})
    for (s, o), links in sorted(index.edges.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        if s not in kept or o not in kept:
            continue
        if restrict_links and (s, o) not in restrict_links:
            continue
        kind = links[0]["kind"]
        colour, width, dashed = LINK_STYLE[kind]
        view.edges.append({"id": f"{s}|{o}", "from": str(s), "to": str(o), "kind": kind,
                           "label": ", ".join(dict.fromkeys(x["kind"] for x in links)),
                           "color": colour, "width": width, "dashes": dashed, "info": links})
    counts = defaultdict(int)
    for n in view.nodes:
        counts[n["kgType"]] += 1
    view.classes = [{"name": c, "colour": s[0], "shape": s[1], "glyph": s[2], "count": counts[c]}
                    for c, s in CLASS_STYLE.items() if counts[c]]
    kinds = defaultdict(int)
    for e in view.edges:
        for k in dict.fromkeys(x["kind"] for x in e["info"]):
            kinds[k] += 1
    view.links = [{"name": k, "colour": s[0], "dashed": s[2], "count": kinds[k]}
                  for k, s in LINK_STYLE.items() if kinds[k]]
    if view.omitted:
        entities = [n for n in left if index.cls[n] != "Paper"]
        name = index.label[entities[0]] if entities else "NAME"
        view.note = (f"Showing {len(keep)} of {total} nodes (the most linked, and what links them); "
                     f"{view.omitted} were left out. "
                     f"To see any of them, write a focus view: kg view --focus \"{_short(name, 40)}\" "
                     f"--depth 1 -o focus.html (or raise --max-nodes).")
    return view


# --------------------------------------------------------------------------------------------- rendering


def _json_for_script(data) -> str:
    """JSON that is safe inside <script>: no '</script>', '<!--' or '&' sequence can end or alter the block.

    >>> _json_for_script({"t": "</script><b>&"})
    '{"t": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    s = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _vis_assets() -> tuple[str, str]:
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    # the source map is not shipped, so drop the pointer that devtools would try to fetch
    js = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", js)
    css = re.sub(r"/\*# sourceMappingURL=\S+ \*/\s*$", "\n", css)
    if "</script" in js.lower() or "<!--" in js or "</style" in css.lower():  # would end the inline block early
        raise KGError(f"{lib}: vis-network assets cannot be inlined safely")
    return js, css


def vis_options(n_nodes: int) -> dict:
    """vis-network options: a fast fixed-seed layout that settles, then stops (physics off after it)."""
    big = n_nodes > 300
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "physics": {
            # forceAtlas2 keeps each paper's own entities around it instead of one central hairball
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "centralGravity": 0.008, "springLength": 90,
                                 "springConstant": 0.08, "damping": 0.4, "avoidOverlap": 0.2},
            "maxVelocity": 60, "minVelocity": 1.5, "timestep": 0.5,
            # ~2.5 s for the 460-node sample in headless Chromium; fewer rounds keep a full 600-node view fast
            "stabilization": {"enabled": True, "iterations": 200 if n_nodes <= 500 else 150, "updateInterval": 25,
                              "fit": True},
        },
        "nodes": {
            "borderWidth": 1, "borderWidthSelected": 3,
            "font": {"size": 12, "face": "system-ui, sans-serif", "color": "#222222",
                     "strokeWidth": 3, "strokeColor": "#ffffff"},
            # labels: the page keeps the hubs' labels readable at any zoom; the rest appear when zoomed in
            "scaling": {"min": 7, "max": 34, "label": {"enabled": False, "drawThreshold": 7}},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.45}},
            "smooth": False, "selectionWidth": 1.5, "hoverWidth": 0.8,
            "font": {"size": 11, "color": "#444444", "strokeWidth": 3, "strokeColor": "#ffffff", "align": "middle"},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "navigationButtons": False, "keyboard": False, "multiselect": False},
    }


def _network(view: View):
    """The pyvis Network holding the view's nodes and edges, set to render with our own template."""
    from pyvis.network import Network

    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    for n in view.nodes:
        n = dict(n)
        net.add_node(n.pop("id"), label=n.pop("label"), shape=n.pop("shape"), color=n.pop("color"), **n)
    for e in view.edges:
        e = dict(e)
        net.add_edge(e.pop("from"), e.pop("to"), **e)
    net.options = vis_options(len(view.nodes))
    net.set_template_dir(str(TEMPLATE_DIR) + "/", TEMPLATE_NAME)
    # pyvis' own environment does not autoescape; ours does, and knows how to embed JSON in <script>
    net.templateEnv = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                                         keep_trailing_newline=True)
    net.templateEnv.filters["script_json"] = lambda data: Markup(_json_for_script(data))
    return net


def render_view(g: Graph, title: str | None = None, *, focus: str | None = None, depth: int = 1, types=None,
                query: str | None = None, params: dict | None = None, restrict: Graph | None = None,
                max_nodes: int = DEFAULT_MAX_NODES, report_href: str | None = None) -> tuple[str, View]:
    """The page (one self-contained HTML string) and the `View` it shows; the same graph gives the same bytes.

    `query` names a canned CONSTRUCT query (see `kg.query`), run with `params` over `g`; its result limits
    the view like `restrict` does; `report_href`, when given, links the page to the analytics report. The
    other options are those of `view_data`.
    """
    if query:
        from .query import construct_graph

        restrict = construct_graph(query, dict(params or {}), g)
    view = view_data(g, focus=focus, depth=depth, types=types, restrict=restrict, max_nodes=max_nodes)
    if title is None:
        title = "paperkg graph"
        if query:
            title += f" \u00b7 query {query}" + "".join(f" {k}={v}" for k, v in sorted((params or {}).items()))
        if focus:
            names = [n["info"].get("name") or n["label"] for n in view.nodes if n["id"] in view.focus] or [focus]
            title += f" \u00b7 around {', '.join(names)} (depth {depth})"
        if types:
            title += " \u00b7 " + ", ".join(c for c in CLASS_STYLE if c in _type_set(types))
    js, css = _vis_assets()
    net = _network(view)
    net.templateEnv.globals.update(
        page_title=title, summary=view.summary(), note=view.note, vis_js=Markup(js), vis_css=Markup(css),
        legend={"classes": view.classes, "links": view.links}, class_colours={c: s[0] for c, s in CLASS_STYLE.items()},
        focus=view.focus, vis_options=net.options, report_href=report_href)
    return net.generate_html(name=TEMPLATE_NAME), view


def render_html(g: Graph, title: str | None = None, **options) -> str:
    """The view of `g` as one self-contained HTML page; options as for `render_view`."""
    return render_view(g, title, **options)[0]


def write_html(g: Graph, path: Path, title: str | None = None, **options) -> View:
    """Write the view of `g` to `path` atomically and return what it shows; options as for `render_view`."""
    html, view = render_view(g, title, **options)
    atomic_write(Path(path), lambda tmp: tmp.write_text(html, encoding="utf-8"))
    return view


# -------------------------------------------------------------------------------------------- screenshot


def screenshot(html_path: Path, png_path: Path, width: int = 1400, height: int = 860, browser=None,
               executable: str = CHROMIUM) -> float:
    """Open the view in headless Chromium, wait until the layout settles, save a PNG; return the settle ms.

    Uses `browser` (a playwright Browser) when given, else launches Debian's Chromium at `executable`
    with the `playwright` package; nothing is downloaded.
    """
    if browser is None:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise KGError("screenshots need the playwright package: pip install -e '.[test]'") from None
        if not Path(executable).exists():
            raise KGError(f"{executable}: no Chromium found (apt-get install chromium)")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                return screenshot(html_path, png_path, width, height, browser=browser)
            finally:
                browser.close()
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    try:
        page.goto(Path(html_path).resolve().as_uri())
        # a function, not an expression: the page's CSP forbids the eval that expressions need
        page.wait_for_function("() => window.kgView && window.kgView.stable", timeout=30000)
        page.wait_for_timeout(200)
        page.screenshot(path=str(png_path))
        return page.evaluate("() => window.kgView.settleMs")
    finally:
        page.close()


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
