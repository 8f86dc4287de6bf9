"""Graph building: contract local names, stable IRIs, one node per real-world thing, evidence, determinism."""

from __future__ import annotations

from decimal import Decimal

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, SKOS

from kg.extract import Entity, Link, PaperExtraction, Result
from kg.graph import GraphBuilder, build_graph, entity_iri, paper_iri, read_graph, write_graph
from kg.ingest import Paper
from kg.vocab import KG

P1 = Paper(title="Paper One", abstract="Uses LLaMA-2 on GSM8K.", id="2401.00001v2", date="2024-01-02",
           authors=("A. Author",), url="https://arxiv.org/abs/2401.00001")
P2 = Paper(title="Paper Two", abstract="Uses Llama 2.")
LLAMA_A = Entity("Model", "llama-2", "LLaMA-2", family=("Llama",), parameters=None)
LLAMA_B = Entity("Model", "llama-2", "Llama 2", aliases=("Llama-2",), family=("Llama",))
GSM = Entity("Dataset", "gsm-8k", "GSM8K", benchmark=True)


def small_graph():
    e1 = PaperExtraction(
        links=[Link("usesModel", LLAMA_A, "Uses LLaMA-2 on GSM8K.", 0.85, "model-structure"),
               Link("evaluatedOn", GSM, "Uses LLaMA-2 on GSM8K.", 0.9, "gazetteer")],
        results=[Result(GSM, "46.30", "%", "absolute", "Uses LLaMA-2 on GSM8K.", 0.8, system=LLAMA_A,
                        metric="accuracy")])
    e2 = PaperExtraction(links=[Link("usesModel", LLAMA_B, "Uses Llama 2.", 0.85, "model-structure")])
    return build_graph([(P1, e1), (P2, e2)])


def assert_isomorphic(a: Graph, b: Graph):
    if not isomorphic(a, b):
        _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
        raise AssertionError("graphs differ\nonly in first:\n" + "\n".join(sorted(map(str, only_a)))[:3000]
                             + "\nonly in second:\n" + "\n".join(sorted(map(str, only_b)))[:3000])


def test_paper_metadata_and_iri():
    g = small_graph()
    p = paper_iri(P1)
    assert p == URIRef("https://w3id.org/paperkg/id/paper/2401.00001")
    assert (p, RDF.type, KG.Paper) in g
    assert g.value(p, DCTERMS.title) == Literal("Paper One")
    assert g.value(p, DCTERMS.abstract) == Literal(P1.abstract)
    assert g.value(p, DCTERMS.date) == Literal("2024-01-02", datatype=XSD.date)
    assert g.value(p, DCTERMS.creator) == Literal("A. Author")
    # no arXiv id: the IRI comes from the normalised title, stable across runs
    assert paper_iri(P2) == paper_iri(Paper(title="paper two!", abstract="other"))


def test_same_model_in_two_papers_is_one_node_with_one_label_and_aliases():
    g = small_graph()
    node = entity_iri("Model", "llama-2")
    users = set(g.subjects(KG.usesModel, node))
    assert users == {paper_iri(P1), paper_iri(P2)}
    labels = list(g.objects(node, RDFS.label))
    assert len(labels) == 1
    alts = {str(a) for a in g.objects(node, SKOS.altLabel)}
    assert {"LLaMA-2", "Llama 2", "Llama-2"} - {str(labels[0])} <= alts


def test_hidden_labels_are_the_case_folded_names_no_other_label_has():
    g = small_graph()
    llama = entity_iri("Model", "llama-2")
    names = {str(o) for o in g.objects(llama, RDFS.label)} | {str(o) for o in g.objects(llama, SKOS.altLabel)}
    assert {str(h) for h in g.objects(llama, SKOS.hiddenLabel)} == {"llama-2", "llama 2"}
    assert names.isdisjoint(str(h) for h in g.objects(llama, SKOS.hiddenLabel))  # SKOS: labels stay disjoint
    assert {str(h) for h in g.objects(entity_iri("Dataset", "gsm-8k"), SKOS.hiddenLabel)} == {"gsm8k"}
    # a name already in lower case is its own key and gets no hidden label
    metric = next(g.objects(None, KG.metric))
    assert str(g.value(metric, RDFS.label)) == "accuracy"
    assert set(g.objects(metric, SKOS.hiddenLabel)) == set()


def test_family_link_is_entity_to_entity():
    g = small_graph()
    fam = entity_iri("Model", "llama")
    assert (entity_iri("Model", "llama-2"), KG.variantOf, fam) in g
    assert (fam, RDF.type, KG.Model) in g
    assert g.value(fam, RDFS.label) == Literal("Llama")
    assert not list(g.subjects(KG.usesModel, fam))


def test_link_evidence_is_reified():
    g = small_graph()
    p, o = paper_iri(P1), entity_iri("Model", "llama-2")
    st = next(s for s in g.subjects(RDF.type, RDF.Statement)
              if (s, RDF.subject, p) in g and (s, RDF.predicate, KG.usesModel) in g and (s, RDF.object, o) in g)
    assert str(g.value(st, KG.evidence)) == "Uses LLaMA-2 on GSM8K."
    assert g.value(st, KG.confidence).toPython() == Decimal("0.85")


def test_result_is_an_nary_node_with_decimal_value():
    g = small_graph()
    (res,) = list(g.objects(paper_iri(P1), KG.hasResult))
    assert (res, RDF.type, KG.Result) in g
    value = g.value(res, KG.value)
    assert value.datatype == XSD.decimal and value.toPython() == Decimal("46.30")
    assert g.value(res, KG.onDataset) == entity_iri("Dataset", "gsm-8k")
    assert g.value(res, KG.forSystem) == entity_iri("Model", "llama-2")
    assert str(g.value(res, KG.unit)) == "%" and str(g.value(res, KG.resultKind)) == "absolute"
    metric = g.value(res, KG.metric)
    assert (metric, RDF.type, KG.Metric) in g and str(g.value(metric, RDFS.label)) == "accuracy"
    assert (entity_iri("Dataset", "gsm-8k"), RDF.type, KG.Benchmark) in g
    assert (entity_iri("Dataset", "gsm-8k"), RDF.type, KG.Dataset) in g


def test_paper_order_does_not_change_output():
    e = PaperExtraction(links=[Link("usesModel", LLAMA_A, "x", 0.85, "r")])
    f = PaperExtraction(links=[Link("usesModel", LLAMA_B, "y", 0.85, "r")])
    a = build_graph([(P1, e), (P2, f)]).serialize(format="turtle")
    b = build_graph([(P2, f), (P1, e)]).serialize(format="turtle")
    assert a == b


def test_write_and_read_round_trip(tmp_path):
    g = small_graph()
    write_graph(g, tmp_path / "g.ttl")
    assert_isomorphic(g, read_graph(tmp_path / "g.ttl"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_iri_of_odd_names_is_valid():
    for name in ["a b/c", 'x>"y', "Ünïcödé", "", "模型", "a" * 500]:
        iri = entity_iri("Model", name)
        assert " " not in iri and ">" not in iri and '"' not in iri
        assert iri.startswith("https://w3id.org/paperkg/id/model/")
        assert len(iri) < 200


def test_builder_keeps_most_confident_link():
    b = GraphBuilder()
    b.add(P1, PaperExtraction(links=[Link("usesModel", LLAMA_A, "weak", 0.4, "r1")]))
    b.add(P1, PaperExtraction(links=[Link("usesModel", LLAMA_A, "strong", 0.9, "r2")]))
    g = b.graph()
    assert {str(o) for o in g.objects(None, KG.evidence)} == {"strong"}
