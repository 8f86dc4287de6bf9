"""The ontology's terms as one closed namespace: a misspelt term fails at import time, not in a graph.

>>> from kg.vocab import KG
>>> str(KG.usesModel)
'https://w3id.org/paperkg/ontology#usesModel'
"""

from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

__all__ = ["KG", "KGR", "ONTOLOGY_DIR", "ONTOLOGY_FILE", "SHAPES_FILE", "PREFIXES", "LINK_PROPERTIES",
           "ENTITY_CLASSES", "match_key"]

ONTOLOGY_DIR = Path(__file__).parent / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "paperkg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"


def match_key(name: str) -> str:
    """The form a name is matched by in any case: case-folded, runs of white space made one space.

    Every entity carries the keys of its names that differ from them as ``skos:hiddenLabel``, and a query
    parameter ``NAME`` is also bound as ``?NAMEKey``, so canned queries find "gsm8k" or "GSM8K" by an index
    lookup rather than by lower-casing every label in the store.

    >>> match_key("  NVIDIA   A100 ")
    'nvidia a100'
    """
    return " ".join(name.casefold().split())


# Instance data (papers, entities, results, link statements) lives under this namespace.
KGR = Namespace("https://w3id.org/paperkg/id/")


class KG(DefinedNamespace):
    """paperkg ontology terms (https://w3id.org/paperkg/ontology#)."""

    _NS = Namespace("https://w3id.org/paperkg/ontology#")
    _fail = True

    # classes
    Entity: URIRef
    Paper: URIRef
    Method: URIRef
    Model: URIRef
    Dataset: URIRef
    Benchmark: URIRef
    Hardware: URIRef
    Task: URIRef
    Metric: URIRef
    Result: URIRef
    Topic: URIRef
    # paper -> entity links
    proposes: URIRef
    usesMethod: URIRef
    usesModel: URIRef
    evaluatedOn: URIRef
    usesDataset: URIRef
    targetsHardware: URIRef
    addressesTask: URIRef
    # results
    hasResult: URIRef
    onDataset: URIRef
    forSystem: URIRef
    metric: URIRef
    value: URIRef
    unit: URIRef
    resultKind: URIRef
    # entity descriptions
    variantOf: URIRef
    parameterCount: URIRef
    category: URIRef
    sourceFile: URIRef
    # provenance
    evidence: URIRef
    confidence: URIRef
    extractor: URIRef
    # research areas (kg analyze / kg build)
    inTopic: URIRef
    keyEntity: URIRef


# Paper -> entity link kinds, by the names the extractor uses.
LINK_PROPERTIES = {
    "proposes": KG.proposes,
    "usesMethod": KG.usesMethod,
    "usesModel": KG.usesModel,
    "evaluatedOn": KG.evaluatedOn,
    "usesDataset": KG.usesDataset,
    "targetsHardware": KG.targetsHardware,
    "addressesTask": KG.addressesTask,
}

ENTITY_CLASSES = {
    "Method": KG.Method,
    "Model": KG.Model,
    "Dataset": KG.Dataset,
    "Benchmark": KG.Benchmark,
    "Hardware": KG.Hardware,
    "Task": KG.Task,
    "Metric": KG.Metric,
}

# Fixed prefixes so every serialisation reads the same.
PREFIXES = {
    "kg": str(KG._NS),
    "kgr": str(KGR),
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "http://schema.org/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
