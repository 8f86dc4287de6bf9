"""Extraction on short abstracts written for these tests (not from the sample corpus), one per field.

Each case lists links that must be found as (kind, type, name) and, where the text reports numbers, the
(dataset, value, kind) results. Names are compared by cross-paper key, so spelling variants are fine.
"""

from __future__ import annotations

import pytest

from kg.extract import extract_papers
from kg.extract.names import entity_key
from kg.ingest import Paper

CASES = [
    # LLM efficiency / quantization / hardware
    dict(
        title="ZipQuant: Rotation-Free 3-bit Weight Quantization for Edge Inference",
        abstract=(
            "Deploying large language models on edge devices is limited by memory. We present ZipQuant, a "
            "post-training quantization method that needs no calibration data. ZipQuant compresses "
            "Llama-3.1-8B-Instruct and Mistral-7B to 3 bits and runs on a Jetson AGX Orin and on NVIDIA A100 GPUs. "
            "Compared with GPTQ and AWQ, ZipQuant lowers perplexity on WikiText-2 from 9.12 to 7.85."),
        links={("proposes", "Method", "ZipQuant"), ("usesModel", "Model", "Llama-3.1-8B-Instruct"),
               ("usesModel", "Model", "Mistral-7B"), ("usesMethod", "Method", "GPTQ"),
               ("usesMethod", "Method", "AWQ"), ("evaluatedOn", "Dataset", "WikiText-2"),
               ("targetsHardware", "Hardware", "NVIDIA Jetson AGX Orin"),
               ("targetsHardware", "Hardware", "NVIDIA A100"), ("targetsHardware", "Hardware", "edge device")},
        results={("WikiText-2", "9.12", "absolute"), ("WikiText-2", "7.85", "absolute")},
        absent={"LLMs", "post-training quantization"},
    ),
    # theorem proving
    dict(
        title="Stepwise Lemma Search for Neural Theorem Proving",
        abstract=(
            "We introduce LemmaWalk, a prover that searches over intermediate lemmas in Lean 4. LemmaWalk "
            "fine-tunes DeepSeek-Prover-V2-7B on proofs mined from Mathlib. It proves 71.3% of the problems in "
            "miniF2F-test and 12.5% on ProofNet, improving over the base model by 6.2% on miniF2F."),
        links={("proposes", "Method", "LemmaWalk"), ("usesModel", "Model", "DeepSeek-Prover-V2-7B"),
               ("evaluatedOn", "Dataset", "MiniF2F"), ("evaluatedOn", "Dataset", "ProofNet")},
        results={("MiniF2F", "71.3", "absolute"), ("ProofNet", "12.5", "absolute"),
                 ("MiniF2F", "6.2", "improvement")},
        absent={"Lean 4"},
    ),
    # math reasoning with RL, respectively-pairing
    dict(
        title="Curriculum Rewards for Small Reasoners",
        abstract=(
            "Reinforcement learning with verifiable rewards has improved mathematical reasoning. We propose "
            "Curriculum Group Policy Optimization (CGPO), which extends GRPO with a difficulty schedule. Training "
            "Qwen2.5-Math-1.5B with CGPO reaches 78.4% and 31.0% on MATH-500 and AIME 2024 respectively."),
        links={("proposes", "Method", "CGPO"), ("usesMethod", "Method", "GRPO"),
               ("usesModel", "Model", "Qwen2.5-Math-1.5B"), ("evaluatedOn", "Dataset", "MATH-500"),
               ("evaluatedOn", "Dataset", "AIME 2024")},
        results={("MATH-500", "78.4", "absolute"), ("AIME 2024", "31.0", "absolute")},
        absent={"RL", "Reinforcement learning"},
    ),
    # a new benchmark
    dict(
        title="ChartQuizBench: Can Multimodal Models Read Scientific Plots?",
        abstract=(
            "We release ChartQuizBench, a benchmark of 4,200 questions about plots from physics papers. "
            "We evaluate GPT-4o, Gemini 1.5 Pro and Qwen2-VL-7B. The best model, GPT-4o, answers only 48.2% "
            "of the questions correctly on ChartQuizBench."),
        links={("proposes", "Dataset", "ChartQuizBench"), ("usesModel", "Model", "GPT-4o"),
               ("usesModel", "Model", "Gemini 1.5 Pro"), ("usesModel", "Model", "Qwen2-VL-7B")},
        results={("ChartQuizBench", "48.2", "absolute")},
        absent={"4,200"},
    ),
    # retrieval
    dict(
        title="Late Interaction Distillation for Dense Retrieval",
        abstract=(
            "Dense retrievers lag behind late-interaction models such as ColBERT. We propose LIDR, which distils "
            "a ColBERTv2 teacher into a BERT-base bi-encoder trained on MS MARCO. On BEIR, LIDR improves "
            "nDCG@10 by 2.1 points over Contriever."),
        links={("proposes", "Method", "LIDR"), ("usesModel", "Model", "ColBERT"),
               ("usesModel", "Model", "ColBERTv2"), ("usesModel", "Model", "BERT-base"),
               ("usesModel", "Model", "Contriever"), ("usesDataset", "Dataset", "MS MARCO"),
               ("evaluatedOn", "Dataset", "BEIR")},
        results={("BEIR", "2.1", "improvement")},
    ),
    # agents
    dict(
        title="WebPilot: Planning with Reflection for Web Agents",
        abstract=(
            "Autonomous web agents fail on long-horizon tasks. WebPilot combines ReAct-style acting with a "
            "reflection memory. Built on Claude 3.5 Sonnet, WebPilot achieves a 42.7% success rate on WebArena, "
            "an absolute gain of 8.9% over the strongest baseline."),
        links={("proposes", "Method", "WebPilot"), ("usesModel", "Model", "Claude 3.5 Sonnet"),
               ("evaluatedOn", "Dataset", "WebArena")},
        results={("WebArena", "42.7", "absolute"), ("WebArena", "8.9", "improvement")},
        absent={"ReAct-style"},
    ),
    # speech
    dict(
        title="Streaming Speech Recognition with Chunked State Space Models",
        abstract=(
            "We present ChunkSSM, a streaming acoustic encoder built from Mamba blocks. ChunkSSM is trained on "
            "LibriSpeech and compared with Whisper-large-v3. On LibriSpeech test-clean it obtains a word error "
            "rate of 2.9% while running in real time on a Snapdragon 8 Gen 3 phone."),
        links={("proposes", "Method", "ChunkSSM"), ("usesModel", "Model", "Mamba"),
               ("usesModel", "Model", "Whisper-large-v3"), ("evaluatedOn", "Dataset", "LibriSpeech"),
               ("targetsHardware", "Hardware", "Snapdragon 8 Gen 3")},
        results={("LibriSpeech", "2.9", "absolute")},
    ),
    # vision
    dict(
        title="Token Merging for Faster Vision Transformers",
        abstract=(
            "We introduce MergeViT, a training-free token merging scheme for ViT models. Applied to ViT-L/16 "
            "on ImageNet-1K, MergeViT keeps 85.1% top-1 accuracy while giving a 1.9x speedup on an RTX 4090."),
        links={("proposes", "Method", "MergeViT"), ("usesModel", "Model", "ViT"),
               ("evaluatedOn", "Dataset", "ImageNet"), ("targetsHardware", "Hardware", "NVIDIA RTX 4090")},
        results={("ImageNet", "85.1", "absolute")},
    ),
    # inference serving, CPU and Apple silicon
    dict(
        title="Speculative Decoding on Laptops",
        abstract=(
            "Running 70B-parameter models locally is slow. We propose DraftCache, a speculative decoding system "
            "that pairs Llama-3-70B with a 1B draft model and is implemented on top of llama.cpp. On an Apple "
            "M2 Ultra and on Intel Xeon CPUs, DraftCache gives up to 2.4x faster generation than vLLM."),
        links={("proposes", "Method", "DraftCache"), ("usesModel", "Model", "Llama-3-70B"),
               ("usesMethod", "Method", "llama.cpp"), ("usesMethod", "Method", "vLLM"),
               ("targetsHardware", "Hardware", "Apple M2 Ultra"), ("targetsHardware", "Hardware", "Intel Xeon")},
        results=set(),
        absent={"70B-parameter"},
    ),
    # acronym definition and a new dataset used for training
    dict(
        title="Learning to Verify Proof Steps",
        abstract=(
            "Process supervision needs step labels. We build Stepwise Proof Labels (SPL), a dataset of 90k "
            "annotated solution steps derived from GSM8K and MATH, and train a verifier on SPL with LoRA on "
            "Gemma-2-9B. The verifier raises Best-of-64 accuracy on GSM8K to 91.5%."),
        links={("proposes", "Dataset", "SPL"), ("usesMethod", "Method", "LoRA"),
               ("usesModel", "Model", "Gemma-2-9B"), ("usesDataset", "Dataset", "MATH")},
        results={("GSM8K", "91.5", "absolute")},
        absent={"Process supervision"},
    ),
    # optimisation theory: no entities beyond a classic named algorithm
    dict(
        title="A Sharper Analysis of Stochastic Mirror Descent",
        abstract=(
            "We revisit stochastic mirror descent for convex problems and prove a high-probability regret bound "
            "that improves the classical analysis by a logarithmic factor. Our analysis also covers Adam when "
            "its step sizes decay, and Nesterov momentum as a special case."),
        links={("usesMethod", "Method", "Adam"), ("usesMethod", "Method", "Nesterov momentum")},
        results=set(),
        absent={"regret", "stochastic mirror descent"},
    ),
    # result forms: LaTeX percent, arrows, "N out of M", approximate numbers left out
    dict(
        title="RepairLoop: Formal Proof Repair with Compiler Feedback",
        abstract=(
            "We propose RepairLoop, which feeds Lean compiler errors back to the prover. On miniF2F-test it raises "
            "the pass rate (41.0% -> 47.5%), and it proves 9 out of 120 problems in PutnamBench. RepairLoop "
            "reaches 62.5\\% on ProofNet with less than 10% of the compute."),
        links={("proposes", "Method", "RepairLoop"), ("evaluatedOn", "Dataset", "MiniF2F"),
               ("evaluatedOn", "Dataset", "PutnamBench"), ("evaluatedOn", "Dataset", "ProofNet")},
        results={("MiniF2F", "41.0", "absolute"), ("MiniF2F", "47.5", "absolute"),
                 ("PutnamBench", "9", "absolute"), ("ProofNet", "62.5", "absolute")},
        absent_results={"10"},
    ),
    # "from X to Y" on two datasets; metric names are not entities; a share of a resource is not a score
    dict(
        title="Hard Negative Curricula for Dense Retrieval",
        abstract=(
            "We revisit hard-negative mining. Our curriculum, HNC, orders negatives from BM25 by difficulty and "
            "keeps 30% of the memory of prior miners. Fine-tuning a BERT-base DPR model with HNC improves top-20 "
            "accuracy on Natural Questions from 79.4% to 82.9% and on TriviaQA from 79.8% to 81.5%, and gains "
            "2.3 nDCG@10 on BEIR while the index is 2.0x smaller."),
        links={("usesMethod", "Method", "BM25"), ("usesModel", "Model", "BERT-base"),
               ("evaluatedOn", "Dataset", "Natural Questions"), ("evaluatedOn", "Dataset", "TriviaQA"),
               ("evaluatedOn", "Dataset", "BEIR")},
        results={("Natural Questions", "79.4", "absolute"), ("Natural Questions", "82.9", "absolute"),
                 ("TriviaQA", "79.8", "absolute"), ("TriviaQA", "81.5", "absolute")},
        absent={"nDCG@10", "top-20"},
        absent_results={"30", "2.0"},
    ),
    # aliases across spellings within one paper
    dict(
        title="Instruction Tuning at Scale",
        abstract=(
            "We fine-tune LLaMA-2 and Llama 2 chat variants alike, and compare with FLAN-T5-XL and GPT-3.5-turbo "
            "on MMLU, where our best model scores 63.4%."),
        links={("usesModel", "Model", "Llama-2"), ("usesModel", "Model", "FLAN-T5-XL"),
               ("usesModel", "Model", "GPT-3.5-turbo"), ("evaluatedOn", "Dataset", "MMLU")},
        results={("MMLU", "63.4", "absolute")},
    ),
    # graph learning: metric names are not methods; a baseline after "over" is not whose gain it is
    dict(
        title="MotifNet: Hierarchical Message Passing for Molecules",
        abstract=(
            "Graph neural networks such as GCN and GIN are the standard for molecular property prediction. We "
            "present MotifNet, which passes messages between atoms and motifs. On OGB-MolPCBA, MotifNet reaches an "
            "AP of 31.4, improving over GIN by 2.6 points, and on QM9 it lowers the MAE to 0.052. The RMSE on "
            "FreeSolv drops to 1.08 as well. Chemists such as Pauling and Mulliken described such bonds long "
            "before."),
        links={("proposes", "Method", "MotifNet"), ("usesMethod", "Method", "GIN"),
               ("usesMethod", "Method", "GCN"), ("evaluatedOn", "Dataset", "OGB-MolPCBA"),
               ("evaluatedOn", "Dataset", "QM9")},
        results={("OGB-MolPCBA", "31.4", "absolute"), ("OGB-MolPCBA", "2.6", "improvement"),
                 ("QM9", "0.052", "absolute")},
        absent={"MAE", "RMSE", "AP", "Pauling", "Mulliken"},  # examples of people are not names of methods
    ),
    # forecasting: names listed before a plural dataset noun are datasets; examples after "forecasters such
    # as" are methods; multi-word metric names
    dict(
        title="PatchMixer: Channel Mixing for Long-Horizon Forecasting",
        abstract=(
            "Transformer forecasters such as Informer and Autoformer scale poorly with the horizon. We propose "
            "PatchMixer, a patch-based method that mixes channels with a gated MLP. PatchMixer lowers the mean "
            "squared error by 9% relative to PatchTST on the ETTm2, Exchange and Traffic datasets, and its "
            "mean absolute error on ILI is 0.81 compared with 0.93 for TimesNet."),
        links={("proposes", "Method", "PatchMixer"), ("usesMethod", "Method", "PatchTST"),
               ("usesMethod", "Method", "TimesNet"), ("usesMethod", "Method", "Informer"),
               ("usesMethod", "Method", "Autoformer"), ("evaluatedOn", "Dataset", "ETTm2"),
               ("evaluatedOn", "Dataset", "Exchange"), ("evaluatedOn", "Dataset", "Traffic")},
        results={("ETTm2", "9", "improvement")},
        absent={"MLP"},
    ),
]


@pytest.fixture(scope="module")
def extracted(nlp):
    papers = [Paper(title=c["title"], abstract=c["abstract"]) for c in CASES]
    return [ext for _, ext in extract_papers(papers, nlp)]


def _links(ext):
    return {(l.kind, "Dataset" if l.entity.type == "Benchmark" else l.entity.type, l.entity.key) for l in ext.links}


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c["title"][:30] for c in CASES])
def test_expected_links(extracted, i):
    case, ext = CASES[i], extracted[i]
    got = _links(ext)
    ok_alternatives = {"evaluatedOn": {"usesDataset"}, "usesDataset": {"evaluatedOn"}}
    for kind, etype, name in case["links"]:
        key = entity_key(name)
        kinds = {kind} | ok_alternatives.get(kind, set())
        assert any((k, etype, key) in got for k in kinds), f"missing {kind} {etype} {name}; got {sorted(got)}"


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c["title"][:30] for c in CASES])
def test_expected_results(extracted, i):
    case, ext = CASES[i], extracted[i]
    got = {(r.dataset.key, r.value, r.kind) for r in ext.results}
    for ds, value, kind in case["results"]:
        assert (entity_key(ds), value, kind) in got, f"missing result {ds} {value} {kind}; got {sorted(got)}"


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c["title"][:30] for c in CASES])
def test_generic_terms_are_not_entities(extracted, i):
    case, ext = CASES[i], extracted[i]
    names = {l.entity.key for l in ext.links if l.kind != "addressesTask"}
    for term in case.get("absent", ()):
        assert entity_key(term) not in names


def test_approximate_numbers_are_not_results(extracted):
    for case, ext in zip(CASES, extracted):
        values = {r.value for r in ext.results}
        assert not values & case.get("absent_results", set())


def test_every_link_has_evidence_from_the_text_and_a_confidence(extracted):
    for case, ext in zip(CASES, extracted):
        text = case["title"] + " " + case["abstract"]
        for link in ext.links:
            assert link.evidence and link.evidence in text
            assert 0.0 <= link.confidence <= 1.0
        for r in ext.results:
            assert r.evidence in text and 0.0 <= r.confidence <= 1.0


def test_model_family_chain_and_size(extracted):
    ext = extracted[0]
    llama = next(l.entity for l in ext.links if l.entity.key == entity_key("Llama-3.1-8B-Instruct"))
    assert llama.family == ("Llama-3.1", "Llama")
    assert llama.parameters == 8e9


def test_acronym_and_long_form_are_one_entity(extracted):
    ext = extracted[2]
    cgpo = [l.entity for l in ext.links if l.entity.key == "cgpo"]
    assert len(cgpo) == 1
    assert "Curriculum Group Policy Optimization" in cgpo[0].aliases


def test_spelling_variants_fold_into_one_entity(extracted):
    ext = extracted[13]
    llamas = [l for l in ext.links if l.entity.key == entity_key("Llama 2")]
    assert len(llamas) == 1


def test_results_belong_to_the_named_system(extracted):
    ext = extracted[5]  # WebPilot
    absolute = next(r for r in ext.results if r.value == "42.7")
    assert absolute.system is not None and absolute.system.key in ("webpilot", entity_key("Claude 3.5 Sonnet"))
    assert absolute.unit == "%"
    assert absolute.metric == "success rate"


def test_metric_names_are_metrics_and_systems_follow_the_sentence(extracted):
    graph, forecast = extracted[-2], extracted[-1]
    by_value = {r.value: r for r in graph.results}
    assert by_value["31.4"].system.key == "motifnet" and by_value["31.4"].metric == "ap"
    gain = by_value["2.6"]
    assert gain.system.key == "motifnet" and gain.dataset.key == entity_key("OGB-MolPCBA")  # not GIN, not QM9
    assert by_value["0.052"].metric == "mae"
    f = {r.value: r for r in forecast.results}
    assert f["9"].metric == "mean squared error" and f["9"].system.key == "patchmixer"
    assert f["0.93"].system.key == "timesnet"  # "0.93 for TimesNet"
    assert f["0.81"].metric == "mean absolute error"
