"""Score a graph against hand-annotated gold (the format of the annotation guideline).

The matching rules are those of the reference scorer shipped with the gold data, so both give the same
figures: papers are matched by normalised title; a predicted entity matches a gold entity of the same
type (or Method/Model interchangeably for proposals) when any normalised surface form is shared; link
kinds are right when one of them is the gold relation or an also-ok one; results match on dataset name and
value. Names in the gold "ignore" list are neither right nor wrong.

Examples
--------
>>> norm("GPUs"), norm("MiniF2F") == norm("miniF2F")
('gpu', True)
>>> sorted(norm_variants("the MATH-500 test set"))
['math500', 'math500testset', 'themath500testset']
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph, Literal

from .errors import KGError

__all__ = ["score_graph", "load_gold", "EvalReport", "norm", "norm_variants", "format_report"]

_TYPES = {"Method": "Method", "Model": "Model", "Dataset": "Dataset", "Benchmark": "Dataset", "Hardware": "Hardware"}
_LINKS = ("proposes", "usesModel", "usesMethod", "evaluatedOn", "usesDataset", "targetsHardware")
_SUFFIXES = ("benchmarks", "benchmark", "datasets", "dataset", "testsets", "testset", "test set", "corpus",
             "suite", "models", "model", "framework", "method", "algorithm", "devices", "device")
_LABELS = ("label", "prefLabel", "altLabel", "name")


def _local(term) -> str:
    return re.split(r"[#/]", str(term))[-1]


def norm(s: str) -> str:
    """Lower-case letters, digits and '+' only; a plural 's' after a capital or digit is dropped."""
    s = re.sub(r"(?<=[A-Z0-9])s$", "", s.strip())
    return re.sub(r"[^a-z0-9+]", "", re.sub(r"\s+", " ", s.lower()))


def norm_variants(s: str) -> set[str]:
    """The normalised name plus its forms without a generic suffix (benchmark, model...) or a leading 'the'."""
    out = {norm(s)}
    low = s.strip().lower()
    for suf in _SUFFIXES:
        if low.endswith(" " + suf):
            core = s.strip()[: -len(suf)].strip()
            if norm(core):
                out.add(norm(core))
    if low.startswith("the "):
        out |= norm_variants(s.strip()[4:])
    return {v for v in out if v}


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def p(self):
        return round(self.tp / (self.tp + self.fp), 3) if self.tp + self.fp else 0.0

    @property
    def r(self):
        return round(self.tp / (self.tp + self.fn), 3) if self.tp + self.fn else 0.0

    @property
    def f1(self):
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return round(2 * p * r / (p + r), 3) if p + r else 0.0

    def as_dict(self):
        return {"p": self.p, "r": self.r, "f1": self.f1, "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class EvalReport:
    papers: int = 0
    papers_missing: int = 0
    duplicate_entities: int = 0
    entities: dict = field(default_factory=lambda: {t: PRF() for t in ("Method", "Model", "Dataset", "Hardware")})
    links: PRF = field(default_factory=PRF)
    results: PRF = field(default_factory=PRF)
    log: list = field(default_factory=list)

    @property
    def entity_micro(self) -> PRF:
        tot = PRF()
        for m in self.entities.values():
            tot.tp, tot.fp, tot.fn = tot.tp + m.tp, tot.fp + m.fp, tot.fn + m.fn
        return tot

    def as_dict(self):
        return {"papers": self.papers, "papers_missing": self.papers_missing,
                "duplicate_entities": self.duplicate_entities,
                "entities": {t: m.as_dict() for t, m in self.entities.items()},
                "entity_micro": self.entity_micro.as_dict(), "relations": self.links.as_dict(),
                "results": self.results.as_dict()}


def load_gold(path: Path) -> list[dict]:
    """Read a gold file (a JSON list of annotated papers); KGError naming the file when it is not one."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KGError(f"{path}: no such gold file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        line = getattr(e, "lineno", None)
        raise KGError(f"{path}{':' + str(line) if line else ''}: not a JSON gold file ({e.__class__.__name__})") from None
    if not isinstance(data, list):
        raise KGError(f"{path}: gold must be a JSON list of papers")
    for i, p in enumerate(data, 1):
        if not isinstance(p, dict) or "title" not in p or not isinstance(p.get("entities", []), list):
            raise KGError(f"{path}: item {i} is not a gold paper (needs 'title' and 'entities')")
        for e in p.get("entities", []):
            if not {"type", "name", "relation"} <= set(e):
                raise KGError(f"{path}: item {i} ({p.get('id', '?')}) has an entity without type/name/relation")
    return data


def _predicted(g: Graph) -> dict:
    labels = defaultdict(set)
    for s, p, o in g:
        if isinstance(o, Literal) and _local(p) in _LABELS:
            labels[s].add(str(o))
    types = defaultdict(set)
    for s, o in g.subject_objects(RDF.type):
        if _local(o) in _TYPES:
            types[s].add(_TYPES[_local(o)])
    evidence = {}
    for st in g.subjects(RDF.type, RDF.Statement):
        s, p, o = g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object)
        ev = next((str(x) for pp, x in g.predicate_objects(st) if _local(pp) == "evidence"), None)
        if ev:
            evidence[(s, _local(p), o)] = ev
    out = {}
    for s, p, o in g:
        if _local(p) == "title" and isinstance(o, Literal) and "Paper" in {_local(t) for t in g.objects(s, RDF.type)}:
            links, results = set(), set()
            ev_of = {}
            for p2, o2 in g.predicate_objects(s):
                lp = _local(p2)
                if lp in _LINKS:
                    names = frozenset(v for lab in labels.get(o2, ()) for v in norm_variants(lab))
                    for t in types.get(o2, {"?"}):
                        links.add((lp, t, names))
                        ev_of[(lp, t, names)] = evidence.get((s, lp, o2), "")
                elif lp == "hasResult":
                    ds, vals = set(), []
                    for p3, o3 in g.predicate_objects(o2):
                        l3 = _local(p3)
                        if l3 in ("onDataset", "dataset", "benchmark"):
                            for lab in labels.get(o3, ()):
                                ds |= norm_variants(lab)
                            if isinstance(o3, Literal):
                                ds |= norm_variants(str(o3))
                        elif l3 in ("value", "score", "metricValue") and isinstance(o3, Literal):
                            try:
                                vals.append(float(o3))
                            except (TypeError, ValueError):
                                pass
                    for v in vals:
                        results.add((frozenset(ds), v))
            out[norm(str(o))] = {"links": links, "results": results, "evidence": ev_of}
    return out


def score_graph(g: Graph, gold: list[dict], verbose: bool = False) -> EvalReport:
    """Score graph `g` against `gold` papers; with `verbose`, `report.log` lists every miss and false link."""
    pred = _predicted(g)
    rep = EvalReport(papers=len(gold))
    for gp in gold:
        pp = pred.get(norm(gp["title"]))
        if pp is None:
            rep.papers_missing += 1
            pp = {"links": set(), "results": set(), "evidence": {}}
        gents = []
        for e in gp["entities"]:
            names = set()
            for n in [e["name"], *e.get("aliases", [])]:
                names |= norm_variants(n)
            gents.append((e, names))
        ignore = set()
        for s in gp.get("ignore", []):
            ignore |= norm_variants(s)
        pents: dict = {}
        for link in sorted(pp["links"], key=lambda x: (x[0], x[1], sorted(x[2]))):
            lp, t, names = link
            pents.setdefault((t, names), []).append(link)
        matched: dict = {}
        # iterate in the reference scorer's order (set order of (type, names)) for identical duplicate counts
        for (t, names), plinks in pents.items():
            rels = {l[0] for l in plinks}
            hit = next((i for i, (e, gn) in enumerate(gents)
                        if (e["type"] == t or (e["relation"] == "proposes" and {e["type"], t} <= {"Method", "Model"}))
                        and names & gn), None)
            if hit is not None:
                if hit in matched:
                    rep.duplicate_entities += 1
                    matched[hit][1].update(rels)
                else:
                    matched[hit] = (t, set(rels))
            elif names & ignore or not names:
                continue
            else:
                rep.entities[t].fp += 1 if t in rep.entities else 0
                rep.links.fp += len(rels)
                if verbose:
                    ev = pp["evidence"].get(plinks[0], "")
                    rep.log.append(f"[{gp.get('id', '?')}] FALSE {t} {_show(names)} via {sorted(rels)}\n    {ev}")
        for i, (e, gn) in enumerate(gents):
            ok = {e["relation"], *e.get("also_ok", [])}
            if i in matched:
                rep.entities[e["type"]].tp += 1
                prels = matched[i][1]
                if prels & ok:
                    rep.links.tp += 1
                else:
                    rep.links.fn += 1
                    if verbose:
                        rep.log.append(f"[{gp.get('id', '?')}] WRONG LINK {e['type']} {e['name']}: "
                                       f"got {sorted(prels)}, want {e['relation']}")
                rep.links.fp += len(prels - ok)
            else:
                rep.entities[e["type"]].fn += 1
                rep.links.fn += 1
                if verbose:
                    rep.log.append(f"[{gp.get('id', '?')}] MISSED {e['type']} {e['name']} ({e['relation']})")
        dsnames = {e["name"]: gn for e, gn in gents if e["type"] == "Dataset"}
        gres = [(dsnames.get(r["dataset"]) or norm_variants(r["dataset"]), float(r["value"]))
                for r in gp.get("results", [])]
        used = set()
        for ds, v in sorted(pp["results"], key=lambda x: (sorted(x[0]), x[1])):
            hit = next((j for j, (gn, gv) in enumerate(gres) if j not in used and abs(gv - v) < 1e-6 and ds & gn), None)
            if hit is None:
                rep.results.fp += 1
                if verbose:
                    rep.log.append(f"[{gp.get('id', '?')}] FALSE RESULT {_show(ds)} = {v:g}")
            else:
                used.add(hit)
                rep.results.tp += 1
        for j, (gn, gv) in enumerate(gres):
            if j not in used:
                rep.results.fn += 1
                if verbose:
                    rep.log.append(f"[{gp.get('id', '?')}] MISSED RESULT {gp['results'][j]['dataset']} = {gv:g}")
    return rep


def _show(names) -> str:
    return "/".join(sorted(names)[:3]) or "?"


def format_report(rep: EvalReport) -> str:
    lines = [f"papers {rep.papers} (missing in graph: {rep.papers_missing}), "
             f"duplicate entity nodes: {rep.duplicate_entities}",
             f"{'':14}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}"]
    rows = [(f"  {t}", m) for t, m in rep.entities.items()]
    rows += [("entities", rep.entity_micro), ("links", rep.links), ("results", rep.results)]
    for name, m in rows:
        lines.append(f"{name:14}{m.p:7.3f}{m.r:7.3f}{m.f1:7.3f}{m.tp:6d}{m.fp:6d}{m.fn:6d}")
    return "\n".join(lines)
