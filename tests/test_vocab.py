"""The closed vocabulary matches the ontology file: every term exists there with a label and a comment."""

from rdflib import OWL, RDF, RDFS, Graph, URIRef

from kg.vocab import KG, ONTOLOGY_FILE, SHAPES_FILE

CONTRACT = ["Paper", "Method", "Model", "Dataset", "Benchmark", "Hardware", "Task", "Metric", "Result",
            "proposes", "usesMethod", "usesModel", "evaluatedOn", "usesDataset", "targetsHardware",
            "addressesTask", "hasResult", "onDataset", "forSystem", "value", "unit", "metric", "resultKind"]


def test_every_vocab_term_is_defined_with_label_and_comment():
    g = Graph().parse(ONTOLOGY_FILE)
    terms = list(KG.__annotations__)
    assert set(CONTRACT) <= set(terms)
    for t in terms:
        iri = URIRef(str(KG._NS) + t)
        assert (iri, RDF.type, None) in g, f"kg:{t} not declared in {ONTOLOGY_FILE.name}"
        assert g.value(iri, RDFS.label) is not None, f"kg:{t} has no label"
        assert g.value(iri, RDFS.comment) is not None, f"kg:{t} has no comment"


def test_vocab_is_closed():
    import pytest

    with pytest.raises(AttributeError):
        KG.usesModle  # noqa: B018  (a misspelt term fails at once)


def test_benchmark_is_a_dataset_and_shapes_parse():
    g = Graph().parse(ONTOLOGY_FILE)
    assert (KG.Benchmark, RDFS.subClassOf, KG.Dataset) in g
    assert (None, RDF.type, OWL.Ontology) in g
    shapes = Graph().parse(SHAPES_FILE)
    assert len(shapes) > 50
