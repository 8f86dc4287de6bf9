"""RDF graph -> a self-contained interactive HTML view (vis-network, inlined; no network access needed).

The view reads the graph only. Everything the page needs is inlined: vis-network's script and style come
from the copy shipped inside the pyvis package, so the file opens from file:// with no network.
"""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
from rdflib import RDF, RDFS, Graph
from rdflib.namespace import DCTERMS, SKOS

from .graph import atomic_write
from .vocab import KG, LINK_PROPERTIES

__all__ = ["render_html", "write_html", "CLASS_STYLE"]

_TEMPLATE = Path(__file__).parent / "templates" / "graph.html"

CLASS_STYLE = {
    "Paper": ("#4e79a7", "box"),
    "Method": ("#f28e2b", "dot"),
    "Model": ("#e15759", "dot"),
    "Dataset": ("#59a14f", "diamond"),
    "Hardware": ("#9c755f", "square"),
    "Task": ("#b07aa1", "triangle"),
}
_LINK_COLOUR = {"proposes": "#e15759", "usesMethod": "#f28e2b", "usesModel": "#ff9da7", "evaluatedOn": "#59a14f",
                "usesDataset": "#8cd17d", "targetsHardware": "#9c755f", "addressesTask": "#b07aa1"}


def _vis_assets():
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    return (lib / "vis-network.min.js").read_text(encoding="utf-8"), (lib / "vis-network.css").read_text(encoding="utf-8")


def _json_for_script(data) -> str:
    """JSON that is safe inside <script>: no '</script>' or HTML comment openers can close the block."""
    s = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _class_of(g: Graph, node) -> str | None:
    types = {str(t).rsplit("#", 1)[-1] for t in g.objects(node, RDF.type)}
    for name in ("Paper", "Model", "Method", "Hardware", "Task"):
        if name in types:
            return name
    if types & {"Dataset", "Benchmark"}:
        return "Dataset"
    return None


def render_html(g: Graph, title: str = "paperkg graph", max_nodes: int = 1500) -> str:
    """Render the paper-entity graph as one HTML page (a string)."""
    link_props = {v: k for k, v in LINK_PROPERTIES.items()}
    edges = []
    degree = {}
    for s, p, o in g:
        if p in link_props:
            edges.append((str(s), link_props[p], str(o)))
            degree[str(s)] = degree.get(str(s), 0) + 1
            degree[str(o)] = degree.get(str(o), 0) + 1
    edges.sort()
    keep = sorted(degree, key=lambda n: (-degree[n], n))[:max_nodes]
    keep_set = set(keep)
    nodes = []
    from rdflib import URIRef

    for n in sorted(keep):
        node = URIRef(n)
        cls = _class_of(g, node) or "Method"
        colour, shape = CLASS_STYLE.get(cls, ("#bab0ac", "dot"))
        if cls == "Paper":
            label = str(g.value(node, DCTERMS.title) or n)
            tip = f"Paper\n{label}"
            label = label if len(label) <= 40 else label[:37] + "..."
        else:
            label = str(g.value(node, RDFS.label) or n.rsplit("/", 1)[-1])
            alts = sorted(str(a) for a in g.objects(node, SKOS.altLabel))
            tip = f"{cls}: {label}" + (f"\naliases: {', '.join(alts[:8])}" if alts else "")
        nodes.append({"id": n, "label": label, "title": tip, "color": colour, "shape": shape, "group": cls,
                      "value": degree.get(n, 1)})
    vis_edges = [{"from": s, "to": o, "title": k, "color": _LINK_COLOUR.get(k, "#999"), "arrows": "to"}
                 for s, k, o in edges if s in keep_set and o in keep_set]
    options = {"physics": {"stabilization": {"iterations": 200}, "barnesHut": {"gravitationalConstant": -8000}},
               "layout": {"improvedLayout": False}, "nodes": {"scaling": {"min": 8, "max": 40}},
               "interaction": {"hover": True}}
    js, css = _vis_assets()
    env = jinja2.Environment(autoescape=True)
    template = env.from_string(_TEMPLATE.read_text(encoding="utf-8"))
    summary = f"{sum(1 for x in nodes if x['group'] == 'Paper')} papers, {len(nodes)} nodes, {len(vis_edges)} links"
    legend = [(k, v[0]) for k, v in CLASS_STYLE.items()]
    return template.render(title=title, summary=summary, legend=legend, height="88vh",
                           vis_js=jinja2.Markup(js) if hasattr(jinja2, "Markup") else _safe(js),
                           vis_css=_safe(css), nodes=_json_for_script(nodes), edges=_json_for_script(vis_edges),
                           options=json.dumps(options, sort_keys=True))


def _safe(s):
    from markupsafe import Markup

    return Markup(s)


def write_html(g: Graph, path: Path, **kw) -> None:
    """Write the HTML view atomically."""
    html = render_html(g, **kw)
    atomic_write(Path(path), lambda tmp: tmp.write_text(html, encoding="utf-8"))
