"""RDF graph -> one self-contained HTML report: counts, charts, leaderboards, hardware, research areas, trends.

`report_data` gathers what the page shows (pure, no I/O); `render_report` draws the charts with matplotlib as
inline SVG and fills ``templates/report.html``; `write_report` writes the file atomically. The page loads
nothing from anywhere: no scripts, fonts or images outside the file.

Output is deterministic: matplotlib's SVG ids come from a fixed salt per chart, the SVG carries no date,
and every list is sorted, so the same graph gives the same bytes.

Examples
--------
>>> from rdflib import Graph
>>> html = render_report(Graph())
>>> html.startswith("<!DOCTYPE html>") and "http://" not in html.split("<body")[0]
True
"""

from __future__ import annotations

import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import jinja2
from rdflib import RDF, RDFS, Graph

from .analyze import RANK_TYPES, graph_topics, link_graph, rank_entities, to_networkx
from .graph import atomic_write
from .vocab import KG, LINK_PROPERTIES

__all__ = ["report_data", "render_report", "write_report", "screenshot", "ReportData", "TYPE_COLOURS"]

_TEMPLATE = Path(__file__).parent / "templates" / "report.html"

# Same hues as the graph view, so a type looks the same on both pages.
TYPE_COLOURS = {"Paper": "#4e79a7", "Method": "#f28e2b", "Model": "#e15759", "Benchmark": "#59a14f",
                "Dataset": "#8cd17d", "Hardware": "#9c755f", "Task": "#b07aa1"}
_TYPE_TITLES = {"Method": "Methods", "Model": "Models", "Benchmark": "Benchmarks", "Dataset": "Other datasets",
                "Hardware": "Hardware", "Task": "Tasks"}
# Categorical palette for research areas (Tableau 10, then greys for the tail).
AREA_COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                "#9c755f", "#bab0ac"]
_OTHER = "#d4d4d4"


@dataclass
class ReportData:
    """Everything the report shows, computed from the graph."""

    counts: dict = field(default_factory=dict)  # name -> number
    entity_counts: dict = field(default_factory=dict)  # type -> number
    central: dict = field(default_factory=dict)  # type -> [Ranked]
    leaderboards: list = field(default_factory=list)  # [{"label", "papers", "rows", "users"}]
    hardware: list = field(default_factory=list)  # [{"label", "papers": [(title, area index)], "with": [...]}]
    topics: list = field(default_factory=list)  # [{"label", "entities", "papers", "colour"}]
    unclustered: int = 0
    trends: dict = field(default_factory=dict)  # "Benchmark"/"Model" -> {"periods": [...], "series": {label: [n]}}
    dated: int = 0
    max_pagerank: float = 1.0


def _num(lit) -> float | None:
    if lit is None:
        return None
    v = lit.toPython()
    return float(v) if isinstance(v, (int, float, Decimal)) else None


def _fmt_value(v: float | None, unit: str) -> str:
    if v is None:
        return "?"
    s = f"{v:g}" if abs(v) < 1e6 else f"{v:,.0f}"
    if not unit:
        return s
    return f"{s}{unit}" if unit in ("%", "x", "×") or unit.startswith("/") else f"{s} {unit}"


def _period(date: str, by_year: bool) -> str:
    return date[:4] if by_year else date[:7]


def report_data(g: Graph, top: int = 10, boards: int = 6) -> ReportData:
    """Gather the report's content: counts, `top` central entities per type, `boards` leaderboards, areas, trends."""
    G = to_networkx(g)
    H = link_graph(G)
    papers = sorted(n for n, t in G.nodes(data="type") if t == "Paper")
    title = {p: G.nodes[p]["label"] for p in papers}
    d = ReportData()
    n_links = sum(len(x) for _, _, x in H.edges(data="links"))
    topics = graph_topics(g, G)
    area_of = {p: i for i, t in enumerate(topics) for p in t.papers}
    d.entity_counts = {t: sum(1 for _, ty in G.nodes(data="type") if ty == t) for t in RANK_TYPES}
    d.entity_counts = {t: n for t, n in d.entity_counts.items() if n}
    results = sorted(g.subjects(RDF.type, KG.Result), key=str)
    d.counts = {"papers": len(papers), "entities": sum(d.entity_counts.values()), "links": n_links,
                "results": len(results), "research areas": len(topics)}
    d.central = {t: r for t, r in rank_entities(G, top=top).items() if r}
    d.max_pagerank = max((r.pagerank for items in d.central.values() for r in items), default=1.0) or 1.0

    # leaderboards: the benchmarks most papers evaluate on (or report numbers on)
    users = defaultdict(set)
    for s, o in g.subject_objects(KG.evaluatedOn):
        users[str(o)].add(str(s))
    rows_of = defaultdict(list)
    for r in results:
        ds = g.value(r, KG.onDataset)
        paper = g.value(predicate=KG.hasResult, object=r)
        if ds is None or paper is None:
            continue
        users[str(ds)].add(str(paper))
        system = g.value(r, KG.forSystem)
        metric = g.value(r, KG.metric)
        unit = str(g.value(r, KG.unit) or "")
        value = _num(g.value(r, KG.value))
        rows_of[str(ds)].append({
            "system": str(g.value(system, RDFS.label) or "") if system is not None else "",
            "value": value, "shown": _fmt_value(value, unit), "unit": unit,
            "metric": str(g.value(metric, RDFS.label) or "") if metric is not None else "",
            "kind": str(g.value(r, KG.resultKind) or ""),
            "paper": title.get(str(paper), str(paper)),
            "evidence": str(g.value(r, KG.evidence) or ""),
        })
    benchmarks = [b for b in users if b in G and G.nodes[b]["type"] in ("Benchmark", "Dataset")]
    benchmarks.sort(key=lambda b: (-len(users[b]), -len(rows_of[b]), G.nodes[b]["label"].casefold(), b))
    for b in benchmarks[:boards]:
        rows = sorted(rows_of[b], key=lambda x: (x["kind"] != "absolute", x["unit"], -(x["value"] or 0), x["system"],
                                                  x["paper"]))
        rank = 0
        for row in rows:
            if row["kind"] == "absolute":
                rank += 1
                row["rank"] = rank
            else:
                row["rank"] = ""
        d.leaderboards.append({"label": G.nodes[b]["label"], "papers": len(users[b]), "rows": rows,
                               "users": sorted(title.get(p, p) for p in users[b])})

    # hardware landscape: which hardware, in which areas, alongside which methods and models
    for hw in sorted((n for n, t in G.nodes(data="type") if t == "Hardware" and n in H),
                     key=lambda n: (-H.degree(n), G.nodes[n]["label"].casefold())):
        hw_papers = sorted(p for p in H[hw] if G.nodes[p]["type"] == "Paper")
        near = Counter()
        for p in hw_papers:
            near.update(e for e in H[p] if G.nodes[e]["type"] in ("Method", "Model"))
        d.hardware.append({
            "label": G.nodes[hw]["label"],
            "papers": sorted(((title[p], area_of.get(p)) for p in hw_papers), key=lambda x: x[0].casefold()),
            "with": [G.nodes[e]["label"] for e, _ in sorted(near.items(),
                                                             key=lambda kv: (-kv[1], G.nodes[kv[0]]["label"].casefold()))[:6]],
        })

    for i, t in enumerate(topics):
        inside = Counter(e for p in t.papers if p in H for e in H[p] if G.nodes[e]["type"] != "Paper")
        common = sorted(inside.items(), key=lambda kv: (-kv[1], G.nodes[kv[0]]["label"].casefold()))
        d.topics.append({"label": t.label, "entities": [lab for _, lab in t.entities],
                         "common": [(G.nodes[e]["label"], n) for e, n in common if n > 1][:8],
                         "papers": sorted((title.get(p, p) for p in t.papers), key=str.casefold),
                         "colour": AREA_COLOURS[i] if i < len(AREA_COLOURS) else _OTHER})
    d.unclustered = len(papers) - len(area_of)

    # trends: papers per period using the most-used benchmarks and models, when papers have dates
    dates = {p: G.nodes[p].get("date") for p in papers if G.nodes[p].get("date")}
    d.dated = len(dates)
    if dates:
        years = sorted({v[:4] for v in dates.values()})
        by_year = int(years[-1]) - int(years[0]) >= 3
        periods = sorted({_period(v, by_year) for v in dates.values()})
        if len(periods) >= 2:
            for etype in ("Benchmark", "Model"):
                ents = [e for e in H if G.nodes[e]["type"] == etype]
                ents.sort(key=lambda e: (-sum(1 for p in H[e] if p in dates), G.nodes[e]["label"].casefold()))
                series = {}
                for e in ents[:5]:
                    per = Counter(_period(dates[p], by_year) for p in H[e] if p in dates)
                    if per:
                        series[G.nodes[e]["label"]] = [per.get(x, 0) for x in periods]
                if series:
                    d.trends[etype] = {"periods": periods, "series": series, "by_year": by_year}
    return d


# ---------------------------------------------------------------------------------------------- charts

_RC = {"svg.fonttype": "none", "text.parse_math": False, "font.family": "sans-serif",
       "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"], "font.size": 9, "axes.titlesize": 11,
       "axes.labelsize": 9, "axes.edgecolor": "#888888",
       "axes.spines.top": False, "axes.spines.right": False, "xtick.color": "#444444", "ytick.color": "#333333",
       "legend.frameon": False, "legend.fontsize": 8}


def _svg(fig, name: str, alt: str) -> str:
    """A figure as an inline <svg> (no XML prolog, no fixed size, no date), ids salted by `name`."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": f"paperkg-{name}"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    # matplotlib numbers ids per figure (figure_1, axes_1, ...): prefix them so inlined charts don't clash
    svg = re.sub(r'(\sid="|url\(#|href="#)([^")]+)', lambda m: f"{m.group(1)}{name}-{m.group(2)}", svg)
    head, rest = svg.split(">", 1)
    alt = alt.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f'{head} role="img" aria-label="{alt}" class="chart-svg">{rest}'.strip()


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    # constrained layout fits labels inside a fixed size, so every chart shows text at the same scale
    return Figure(figsize=(width, height), layout="constrained")


def _title(fig, text: str) -> None:
    # a figure title at the left edge: it never runs past the figure however wide the tick labels are
    fig.suptitle(text, x=0.01, ha="left", fontsize=11, fontweight="bold")


def _short(text: str, n: int = 38) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _bar_chart(name, labels, values, colour, title, xlabel, alt, colours=None, annotate=None, integer=True,
               width=5.0, label_chars=28):
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig = _figure(width, 0.8 + 0.27 * max(len(labels), 1))
        ax = fig.add_subplot()
        y = list(range(len(labels)))[::-1]
        ax.barh(y, values, color=colours or colour, height=0.7)
        ax.set_yticks(y, [_short(x, label_chars) for x in labels])
        _title(fig, title)
        ax.set_xlabel(xlabel)
        if integer:
            ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="x", color="#e6e6e6", linewidth=0.8)
        ax.set_axisbelow(True)
        top = max(values) if values else 1
        ax.set_xlim(0, top * 1.22 + (0.5 if integer else 0))
        notes = annotate or [f"{v}" for v in values]
        for yi, v, note in zip(y, values, notes):
            ax.text(v + top * 0.015, yi, note, va="center", fontsize=8, color="#333333")
        ax.tick_params(axis="y", length=0)
        return _svg(fig, name, alt)


def _stacked_hardware(data: ReportData) -> str | None:
    import matplotlib

    if not data.hardware:
        return None
    hw = data.hardware[:12]
    labels = [h["label"] for h in hw]
    n_areas = len(data.topics)
    with matplotlib.rc_context(_RC):
        fig = _figure(5.6, 1.0 + 0.27 * len(hw) + 0.17 * (n_areas + 1))
        ax = fig.add_subplot()
        y = list(range(len(hw)))[::-1]
        left = [0] * len(hw)
        keys = list(range(n_areas)) + [None]
        for k in keys:
            vals = [sum(1 for _, a in h["papers"] if a == k) for h in hw]
            if not any(vals):
                continue
            colour = data.topics[k]["colour"] if k is not None else _OTHER
            name = _short(data.topics[k]["label"], 44) if k is not None else "no research area"
            ax.barh(y, vals, left=left, color=colour, height=0.7, label=name)
            left = [a + b for a, b in zip(left, vals)]
        ax.set_yticks(y, [_short(x) for x in labels])
        _title(fig, "Hardware named by papers, by research area")
        ax.set_xlabel("papers")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="x", color="#e6e6e6", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        ax.legend(loc="upper left", bbox_to_anchor=(-0.02, -0.08 - 0.45 / len(hw)), title="research area",
                  title_fontsize=8, alignment="left")
        return _svg(fig, "hardware", "Stacked bar chart of papers per hardware, coloured by research area")


def _trend_chart(name, trend, title, alt) -> str:
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig = _figure(6.2, 3.0)
        ax = fig.add_subplot()
        x = list(range(len(trend["periods"])))
        for i, (label, counts) in enumerate(trend["series"].items()):
            ax.plot(x, counts, marker="o", markersize=4, linewidth=1.8, color=AREA_COLOURS[i % 10],
                    label=_short(label, 30))
        ax.set_xticks(x, trend["periods"], rotation=45 if len(x) > 8 else 0, ha="right" if len(x) > 8 else "center")
        _title(fig, title)
        ax.set_xlabel("year" if trend["by_year"] else "month")
        ax.set_ylabel("papers")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", color="#e6e6e6", linewidth=0.8)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
        return _svg(fig, name, alt)


def _charts(data: ReportData) -> dict:
    charts = {"central": []}
    for t, items in data.central.items():
        # bars show PageRank relative to the most central entity overall, so lengths compare across charts
        charts["central"].append(_bar_chart(
            f"central-{t}", [r.label for r in items], [round(r.pagerank / data.max_pagerank, 3) for r in items],
            TYPE_COLOURS.get(t, "#888888"), f"{_TYPE_TITLES.get(t, t)}: top {len(items)} by centrality",
            "centrality (PageRank; top entity = 1)",
            f"Bar chart of the most central {_TYPE_TITLES.get(t, t).lower()}",
            annotate=[f"{r.papers} paper" + ("" if r.papers == 1 else "s") for r in items], integer=False,
            width=4.1))
    if data.leaderboards:
        boards = data.leaderboards
        charts["benchmarks"] = _bar_chart(
            "benchmarks", [b["label"] for b in boards], [b["papers"] for b in boards], TYPE_COLOURS["Benchmark"],
            "Most-used benchmarks", "papers evaluating on it",
            "Bar chart of the most-used benchmarks by number of papers",
            annotate=[f"{b['papers']}" + (f"  ({len(b['rows'])} result{'' if len(b['rows']) == 1 else 's'})"
                                          if b["rows"] else "") for b in boards])
    charts["hardware"] = _stacked_hardware(data)
    if data.topics:
        charts["areas"] = _bar_chart(
            "areas", [t["label"] for t in data.topics], [len(t["papers"]) for t in data.topics], None,
            "Research areas by size", "papers", "Bar chart of research areas by number of papers",
            colours=[t["colour"] for t in data.topics], width=6.5, label_chars=60)
    for etype, trend in data.trends.items():
        plural = _TYPE_TITLES[etype].lower()
        charts[f"trend-{etype}"] = _trend_chart(
            f"trend-{etype}", trend, f"Use of the top {plural} over time",
            f"Line chart of how many papers per period use each of the top {plural}")
    return charts


def render_report(g: Graph, title: str = "paperkg report", graph_href: str | None = None) -> str:
    """Render the report of `g` as one HTML page (a string); `graph_href` links to the interactive view."""
    data = report_data(g)
    charts = _charts(data)
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(_TEMPLATE.read_text(encoding="utf-8"))
    from markupsafe import Markup

    safe = {k: (Markup(v) if isinstance(v, str) else [Markup(x) for x in v] if isinstance(v, list) else v)
            for k, v in charts.items()}
    return template.render(title=title, data=data, charts=safe, graph_href=graph_href,
                           type_titles=_TYPE_TITLES, type_colours=TYPE_COLOURS,
                           link_kinds=list(LINK_PROPERTIES))


def write_report(g: Graph, path: Path, **kw) -> None:
    """Write the report atomically."""
    html = render_report(g, **kw)
    atomic_write(Path(path), lambda tmp: tmp.write_text(html, encoding="utf-8"))


def screenshot(html_path: Path, png_path: Path, width: int = 1280, height: int = 1700,
               executable: str = "/usr/bin/chromium") -> None:
    """Save the top `width` x `height` pixels of a report as PNG, using headless Chromium (nothing downloaded).

    This is how ``output/report.png`` is made::

        python -c "from kg.report import screenshot; screenshot('output/report.html', 'output/report.png')"
    """
    from .errors import KGError

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise KGError("screenshots need the playwright package: pip install 'paperkg[test]'") from None
    if not Path(executable).exists():
        raise KGError(f"{executable}: no Chromium found (apt-get install chromium)")
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=args)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
            page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
            page.screenshot(path=str(png_path))
        finally:
            browser.close()
