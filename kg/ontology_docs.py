"""Human-readable documentation of the paperkg ontology: one self-contained HTML page.

`describe_ontology` reads the ontology graph into plain records (every class and property with its
label, comment, super- and subclasses, domain and range); `render_ontology_html` turns those into HTML
with the `templates/ontology.html` template (inline CSS, no scripts, nothing fetched from the network);
`write_ontology_html` writes it atomically.

Examples
--------
>>> doc = describe_ontology()
>>> doc.namespace
'https://w3id.org/paperkg/ontology#'
>>> paper = doc.term("Paper")
>>> paper.curie, paper.kind
('kg:Paper', 'class')
>>> [t.curie for t in doc.term("usesModel").ranges]
['kg:Model']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, VANN

from .errors import GraphError
from .vocab import KG, ONTOLOGY_FILE

__all__ = ["TermRef", "TermDoc", "OntologyDoc", "describe_ontology", "render_ontology_html", "write_ontology_html"]

TEMPLATE_DIR = Path(__file__).parent / "templates"

# Prefixes used to show terms of other vocabularies compactly.
_KNOWN = {
    "kg": str(KG._NS),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": str(DCTERMS),
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "http://schema.org/",
    "fabio": "http://purl.org/spar/fabio/",
}

_KINDS = [  # (kind, rdf:type, heading)
    ("class", OWL.Class, "Classes"),
    ("object property", OWL.ObjectProperty, "Object properties"),
    ("datatype property", OWL.DatatypeProperty, "Datatype properties"),
    ("annotation property", OWL.AnnotationProperty, "Annotation properties"),
]
_CHARACTERISTICS = {
    OWL.TransitiveProperty: "transitive",
    OWL.FunctionalProperty: "functional",
    OWL.SymmetricProperty: "symmetric",
    OWL.InverseFunctionalProperty: "inverse functional",
}


@dataclass(frozen=True)
class TermRef:
    """A reference to a term: its IRI, compact name, and whether it is documented on this page."""

    iri: str
    curie: str
    local: bool

    @property
    def anchor(self) -> str:
        return self.curie.split(":", 1)[1] if self.local else ""


@dataclass
class TermDoc:
    """One class or property as the page shows it."""

    ref: TermRef
    kind: str
    label: str
    comment: str = ""
    parents: list[TermRef] = field(default_factory=list)  # superclasses or superproperties
    children: list[TermRef] = field(default_factory=list)  # subclasses or subproperties
    domains: list[TermRef] = field(default_factory=list)
    ranges: list[TermRef] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    domain_of: list[TermRef] = field(default_factory=list)  # for classes: properties whose domain it is
    range_of: list[TermRef] = field(default_factory=list)  # for classes: properties whose range it is

    @property
    def curie(self) -> str:
        return self.ref.curie

    @property
    def name(self) -> str:
        return self.ref.anchor


@dataclass
class OntologyDoc:
    """The ontology as documentation: its metadata and its terms grouped by kind."""

    iri: str
    namespace: str
    prefix: str
    title: str
    comment: str
    version: str
    sections: list[tuple[str, list[TermDoc]]]

    def terms(self) -> list[TermDoc]:
        return [t for _, terms in self.sections for t in terms]

    def term(self, local_name: str) -> TermDoc:
        for t in self.terms():
            if t.name == local_name:
                return t
        raise KeyError(local_name)


def _text(g: Graph, s, p) -> str:
    """The English (or untagged) value of `p` on `s`, whitespace folded."""
    values = sorted(g.objects(s, p), key=lambda v: (getattr(v, "language", None) not in ("en", None), str(v)))
    return " ".join(str(values[0]).split()) if values else ""


def describe_ontology(g: Graph | None = None) -> OntologyDoc:
    """Read an ontology graph (the paperkg ontology by default) into documentation records."""
    if g is None:
        g = Graph().parse(ONTOLOGY_FILE, format="turtle")
    onto = next(iter(sorted(g.subjects(RDF.type, OWL.Ontology))), None)
    namespace = str(g.value(onto, VANN.preferredNamespaceUri) or KG._NS) if onto is not None else str(KG._NS)
    prefix = str(g.value(onto, VANN.preferredNamespacePrefix) or "kg") if onto is not None else "kg"
    known = {**_KNOWN, prefix: namespace}

    def ref(term) -> TermRef:
        iri = str(term)
        for p, ns in sorted(known.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns) and len(iri) > len(ns):
                return TermRef(iri, f"{p}:{iri[len(ns):]}", iri.startswith(namespace))
        return TermRef(iri, f"<{iri}>", False)

    def refs(terms) -> list[TermRef]:
        return sorted({ref(t) for t in terms if isinstance(t, URIRef)}, key=lambda r: r.curie.lower())

    sections = []
    seen: set = set()
    for kind, rdf_type, heading in _KINDS:
        docs = []
        for s in g.subjects(RDF.type, rdf_type):
            if not isinstance(s, URIRef) or not str(s).startswith(namespace) or s in seen:
                continue
            seen.add(s)
            is_class = kind == "class"
            sub = RDFS.subClassOf if is_class else RDFS.subPropertyOf
            doc = TermDoc(
                ref=ref(s), kind=kind, label=_text(g, s, RDFS.label) or str(s)[len(namespace):],
                comment=_text(g, s, RDFS.comment),
                parents=refs(g.objects(s, sub)), children=refs(g.subjects(sub, s)),
                domains=refs(g.objects(s, RDFS.domain)), ranges=refs(g.objects(s, RDFS.range)),
                characteristics=sorted(c for t, c in _CHARACTERISTICS.items() if (s, RDF.type, t) in g),
            )
            if is_class:
                doc.domain_of = refs(g.subjects(RDFS.domain, s))
                doc.range_of = refs(g.subjects(RDFS.range, s))
            docs.append(doc)
        if docs:
            sections.append((heading, sorted(docs, key=lambda d: d.name.lower())))
    return OntologyDoc(
        iri=str(onto) if onto is not None else namespace.rstrip("#/"),
        namespace=namespace, prefix=prefix,
        title=_text(g, onto, DCTERMS.title) or _text(g, onto, RDFS.label) or "Ontology",
        comment=_text(g, onto, RDFS.comment), version=_text(g, onto, OWL.versionInfo),
        sections=sections,
    )


def render_ontology_html(doc: OntologyDoc | None = None) -> str:
    """The documentation page of `doc` (the paperkg ontology by default) as one HTML string."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("ontology.html").render(doc=doc or describe_ontology())


def write_ontology_html(path: Path, ontology: Path | None = None) -> OntologyDoc:
    """Write the documentation of `ontology` (the paperkg ontology by default) to `path`, atomically."""
    from .export import write_file

    g = Graph()
    source = Path(ontology) if ontology is not None else ONTOLOGY_FILE
    try:
        g.parse(source, format="turtle")
    except FileNotFoundError:
        raise GraphError(f"{source}: no such ontology file") from None
    except Exception as e:  # rdflib raises parser-specific types
        raise GraphError(f"{source}: cannot parse as Turtle: {str(e).strip().splitlines()[0][:200]}") from None
    doc = describe_ontology(g)
    html = render_ontology_html(doc)
    write_file(path, html.encode("utf-8"))
    return doc
