"""Validate a graph against the paperkg SHACL shapes with pySHACL."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from .vocab import ONTOLOGY_FILE, SHAPES_FILE

__all__ = ["validate_graph", "Violation", "ValidationReport"]

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    severity: str

    def __str__(self):
        return f"{self.severity}: {self.focus} {self.path}: {self.message}"


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)


def _short(g: Graph, term) -> str:
    if term is None:
        return "-"
    try:
        return g.namespace_manager.normalizeUri(term)
    except Exception:
        return str(term)


def validate_graph(data: Graph) -> ValidationReport:
    """Run pySHACL with the project's shapes (and the ontology for class hierarchy); list violations."""
    import pyshacl

    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    ont = Graph().parse(ONTOLOGY_FILE, format="turtle")
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ont, inference="none",
                                            allow_warnings=True)
    out = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        out.append(Violation(
            focus=_short(data, results.value(r, SH.focusNode)),
            path=_short(data, results.value(r, SH.resultPath)),
            message=str(results.value(r, SH.resultMessage) or "constraint violated"),
            severity=_short(results, results.value(r, SH.resultSeverity)).rsplit("#", 1)[-1].split(":")[-1],
        ))
    out.sort(key=lambda v: (v.focus, v.path, v.message))
    return ValidationReport(conforms=bool(conforms), violations=out)
