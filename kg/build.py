"""`kg build`: ingest -> extract -> graph -> files, written atomically (no half-written output)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .ingest import IngestReport, iter_papers

__all__ = ["build_graph_files", "BuildSummary"]


@dataclass
class BuildSummary:
    papers: int = 0
    triples: int = 0
    links: int = 0
    results: int = 0
    entities: dict = field(default_factory=dict)
    skipped: int = 0
    duplicates: int = 0
    warnings: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    seconds: float = 0.0

    def describe(self) -> str:
        ents = ", ".join(f"{n} {t}" for t, n in self.entities.items())
        lines = [f"Built graph of {self.papers} papers in {self.seconds:.1f}s: {ents}; "
                 f"{self.links} links, {self.results} results, {self.triples} triples."]
        if self.skipped or self.duplicates:
            lines.append(f"Skipped {self.skipped} record(s) without title or abstract; merged {self.duplicates} duplicate(s).")
        lines += [f"Wrote {p}" for p in self.outputs]
        return "\n".join(lines)


def _remove_stale_temps(out: Path) -> None:
    """Delete temp files a killed build left (``.graph.ttl.XXXXXXXX.tmp`` from `kg.graph.atomic_write`)."""
    if out.is_dir():
        for f in out.glob(".graph.*.tmp"):
            if re.fullmatch(r"\.graph\.(ttl|html)\.[A-Za-z0-9_]{8}\.tmp", f.name) and f.is_file():
                f.unlink(missing_ok=True)


def build_graph_files(inputs, out: Path, strict: bool = False, html: bool = True) -> BuildSummary:
    """Build the graph of `inputs` (or the bundled sample) into `out`/graph.ttl and graph.html."""
    from .errors import InputError
    from .extract import build_pipeline, extract_papers
    from .graph import GraphBuilder, write_graph
    from .stats import graph_stats
    from .void import add_void

    t0 = time.perf_counter()
    report = IngestReport()
    papers = list(iter_papers(inputs, strict=strict, report=report))
    if not papers:
        where = ", ".join(str(f) for f in report.files) or "input"
        raise InputError(where, "no usable papers (every record lacked a title or abstract)")
    _remove_stale_temps(Path(out))
    builder = GraphBuilder()
    nlp = build_pipeline()
    for paper, extraction in extract_papers(papers, nlp):
        builder.add(paper, extraction)
    g = builder.graph()
    add_void(g, files=report.files, version=__version__)
    out = Path(out)
    ttl = out / "graph.ttl"
    write_graph(g, ttl)
    outputs = [ttl]
    if html:
        from .view import write_html

        write_html(g, out / "graph.html")
        outputs.append(out / "graph.html")
    st = graph_stats(g)
    return BuildSummary(papers=st.papers, triples=len(g), links=sum(st.links.values()), results=st.results,
                        entities={k: v for k, v in st.entities.items()}, skipped=report.skipped,
                        duplicates=report.duplicates, warnings=list(report.warnings), outputs=outputs,
                        seconds=time.perf_counter() - t0)
