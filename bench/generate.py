"""A deterministic generator of realistic synthetic ML abstracts, in the arXiv metadata snapshot's JSON Lines.

Each record has the snapshot's fields (``id``, ``title``, ``abstract``, ``authors``, ``categories``,
``update_date``) and reads like a cs.LG/cs.CL/cs.CV abstract: background, the gap, a proposal (often a
new name, sometimes defined as an acronym), how it works (named methods and models), experiments with
numbers on named benchmarks, hardware, and a closing line. Everything comes from the templates and
vocabularies below, written for this benchmark, not from the sample corpus or the extractor's
gazetteers; about a fifth of the names are ones the extractor has never seen.

Paper ``i`` depends only on ``(seed, i)``: the first 1,000 papers of a 10,000-paper corpus are the 1,000-paper
corpus, and the same arguments always give the same bytes.

Usage::

    python bench/generate.py 10000 -o /tmp/papers-10k.jsonl

Examples
--------
>>> a = list(generate_records(3, seed=7))
>>> a == list(generate_records(3, seed=7)) and a[:2] == list(generate_records(2, seed=7))
True
>>> sorted(a[0])
['abstract', 'authors', 'categories', 'id', 'title', 'update_date']
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Iterator

__all__ = ["generate_records", "generate_record", "write_corpus", "DEFAULT_SEED"]

DEFAULT_SEED = 20250912

# ------------------------------------------------------------------------------------------- vocabularies
# Model families with the versions and sizes they come in; a mention is family + optional version/size/suffix.
MODEL_FAMILIES = {
    "Llama": (["-2", "-3", "-3.1", " 2", " 3"], ["-7B", "-8B", "-13B", "-70B"], ["-Instruct", "-Chat", ""]),
    "Qwen": (["2", "2.5", "3"], ["-0.5B", "-1.5B", "-7B", "-14B", "-72B"], ["-Instruct", "-Math", "-Coder", ""]),
    "Mistral": ([""], ["-7B"], ["-Instruct", ""]),
    "Mixtral": ([""], ["-8x7B"], ["-Instruct", ""]),
    "Gemma": (["-2", "-3", ""], ["-2B", "-9B", "-27B"], ["-it", ""]),
    "Phi": (["-2", "-3", "-3.5", "-4"], ["-mini", ""], [""]),
    "GPT": (["-2", "-3.5", "-4", "-4o"], [""], ["", "-mini", " Turbo"]),
    "Claude": ([" 3", " 3.5"], [""], [" Sonnet", " Haiku", " Opus"]),
    "DeepSeek": (["-V2", "-V3", "-R1"], [""], [""]),
    "Falcon": ([""], ["-7B", "-40B"], [""]),
    "T5": ([""], ["-base", "-large", "-3B", "-11B"], [""]),
    "Flan-T5": ([""], ["-base", "-large", "-XL"], [""]),
    "BERT": ([""], ["-base", "-large"], [""]),
    "RoBERTa": ([""], ["-base", "-large"], [""]),
    "DeBERTa": (["-v3", ""], ["-base", "-large"], [""]),
    "ViT": ([""], ["-B/16", "-L/14", "-H/14"], [""]),
    "ResNet": (["-18", "-50", "-101", "-152"], [""], [""]),
    "CLIP": ([""], [" ViT-B/32", " ViT-L/14", ""], [""]),
    "Whisper": ([""], ["-small", "-large", "-medium"], [""]),
    "Stable Diffusion": ([" 1.5", " 2.1", " XL", " 3"], [""], [""]),
    "OPT": ([""], ["-1.3B", "-6.7B", "-30B", "-66B"], [""]),
    "BLOOM": ([""], ["-560M", "-7B", "-176B"], [""]),
    "Pythia": ([""], ["-160M", "-1.4B", "-6.9B", "-12B"], [""]),
    "StarCoder": (["2", ""], ["-3B", "-7B", "-15B"], [""]),
    "CodeLlama": ([""], ["-7B", "-13B", "-34B"], ["-Instruct", "-Python", ""]),
    "Vicuna": ([""], ["-7B", "-13B"], [""]),
    "LLaVA": (["-1.5", "-NeXT", ""], ["-7B", "-13B"], [""]),
    "Swin": ([""], ["-T", "-S", "-B", "-L"], [""]),
    "ConvNeXt": (["-V2", ""], ["-T", "-B", "-L"], [""]),
    "YOLO": (["v5", "v8", "v10"], [""], [""]),
    "Wav2Vec": (["2.0"], [""], [""]),
    "Mamba": (["-2", ""], ["-130M", "-1.4B", "-2.8B"], [""]),
}

# Datasets and benchmarks, with the metric usually reported on them and the range of absolute scores.
DATASETS = [
    ("ImageNet", "top-1 accuracy", "%", 70, 90), ("ImageNet-1K", "top-1 accuracy", "%", 70, 90),
    ("CIFAR-10", "accuracy", "%", 90, 99.5), ("CIFAR-100", "accuracy", "%", 65, 92),
    ("COCO", "mAP", "", 35, 62), ("ADE20K", "mIoU", "", 40, 60), ("Cityscapes", "mIoU", "", 70, 85),
    ("KITTI", "AP", "", 60, 90), ("nuScenes", "NDS", "", 50, 75), ("ScanNet", "mIoU", "", 60, 78),
    ("GSM8K", "accuracy", "%", 40, 96), ("MATH", "accuracy", "%", 20, 85), ("HumanEval", "pass@1", "%", 30, 92),
    ("MBPP", "pass@1", "%", 40, 85), ("MMLU", "accuracy", "%", 45, 88), ("ARC-Challenge", "accuracy", "%", 50, 95),
    ("HellaSwag", "accuracy", "%", 60, 95), ("TruthfulQA", "accuracy", "%", 30, 75), ("BBH", "accuracy", "%", 40, 88),
    ("SQuAD", "F1", "", 80, 95), ("GLUE", "average score", "", 78, 91), ("SuperGLUE", "average score", "", 70, 90),
    ("WikiText-103", "perplexity", "", 8, 30), ("Penn Treebank", "perplexity", "", 20, 60),
    ("LibriSpeech", "WER", "%", 1.5, 8), ("Common Voice", "WER", "%", 5, 20),
    ("WMT14 En-De", "BLEU", "", 25, 35), ("WMT16 En-Ro", "BLEU", "", 30, 40), ("XSum", "ROUGE-L", "", 30, 45),
    ("CNN/DailyMail", "ROUGE-L", "", 35, 45), ("Natural Questions", "exact match", "%", 30, 60),
    ("TriviaQA", "exact match", "%", 50, 80), ("MS MARCO", "MRR@10", "", 30, 45), ("HotpotQA", "F1", "", 55, 80),
    ("OGB-Arxiv", "accuracy", "%", 70, 78), ("Cora", "accuracy", "%", 80, 88), ("MovieLens-1M", "NDCG@10", "", 0.2, 0.4),
    ("D4RL", "normalized score", "", 60, 95), ("Atari 100k", "human-normalized score", "", 0.3, 1.5),
    ("ETTh1", "MSE", "", 0.35, 0.5), ("CelebA", "FID", "", 3, 15), ("MVTec AD", "AUROC", "%", 90, 99.5),
]

# Named methods (acronym, long form) and plain technique names.
METHODS = [
    ("LoRA", "low-rank adaptation"), ("QLoRA", None), ("PPO", "proximal policy optimization"),
    ("DPO", "direct preference optimization"), ("RLHF", "reinforcement learning from human feedback"),
    ("RAG", "retrieval-augmented generation"), ("MoE", "mixture of experts"), ("CoT", "chain-of-thought"),
    ("GNN", "graph neural network"), ("GAN", "generative adversarial network"), ("VAE", "variational autoencoder"),
    ("SAM", "sharpness-aware minimization"), ("AdamW", None), ("FlashAttention", None), ("DDPM", None),
    ("SimCLR", None), ("MAE", "masked autoencoder"), ("KD", "knowledge distillation"), ("GRPO", None),
    ("SGD", "stochastic gradient descent"), ("BPE", "byte-pair encoding"), ("NeRF", "neural radiance field"),
    ("DARTS", None), ("FedAvg", None), ("MAML", None), ("GPTQ", None), ("AWQ", None), ("SmoothQuant", None),
]
TECHNIQUES = [
    "contrastive learning", "knowledge distillation", "beam search", "speculative decoding", "dropout",
    "curriculum learning", "self-supervised pre-training", "instruction tuning", "data augmentation",
    "post-training quantization", "structured pruning", "gradient checkpointing", "label smoothing",
    "in-context learning", "test-time adaptation", "federated learning", "active learning", "meta-learning",
    "weight decay", "mixed-precision training", "attention", "message passing", "diffusion sampling",
]
HARDWARE = [
    "NVIDIA A100 GPUs", "A100 GPUs", "H100 GPUs", "V100 GPUs", "an RTX 4090 GPU", "RTX 3090 GPUs",
    "TPU v4 pods", "TPUv5e chips", "an Apple M2 laptop", "a Jetson Orin board", "a Raspberry Pi 4",
    "FPGAs", "an Intel Xeon CPU", "commodity CPUs", "a single consumer GPU", "Ascend 910 NPUs", "edge devices",
]
TASKS = [
    "image classification", "object detection", "semantic segmentation", "machine translation",
    "question answering", "mathematical reasoning", "code generation", "speech recognition",
    "text summarization", "text-to-image generation", "time-series forecasting", "node classification",
    "recommendation", "offline reinforcement learning", "anomaly detection", "3D scene understanding",
    "language modeling", "visual question answering", "open-domain retrieval", "few-shot learning",
]
CHALLENGES = [
    "the quadratic cost of attention over long sequences", "distribution shift between training and deployment",
    "the memory footprint of billion-parameter models", "noisy and incomplete supervision",
    "catastrophic forgetting when tasks arrive sequentially", "the scarcity of labelled data",
    "hallucinated facts in generated text", "poor calibration under uncertainty", "slow autoregressive decoding",
    "brittle multi-step reasoning", "high communication cost between clients", "sensitivity to hyperparameters",
    "reward hacking during preference optimization", "spurious correlations in the training data",
]
ADJECTIVES = ["lightweight", "scalable", "simple", "unified", "efficient", "robust", "adaptive", "modular",
              "training-free", "parameter-efficient", "hierarchical", "principled", "plug-and-play"]
APPROACHES = ["framework", "method", "approach", "algorithm", "architecture", "training recipe", "benchmark",
              "optimizer", "decoding strategy", "pre-training objective"]
LONG_WORDS = [
    ("Adaptive", "A"), ("Sparse", "S"), ("Hierarchical", "H"), ("Token", "T"), ("Routing", "R"),
    ("Gradient", "G"), ("Memory", "M"), ("Efficient", "E"), ("Latent", "L"), ("Diffusion", "D"),
    ("Retrieval", "R"), ("Contrastive", "C"), ("Policy", "P"), ("Quantization", "Q"), ("Vision", "V"),
    ("Language", "L"), ("Graph", "G"), ("Alignment", "A"), ("Kernel", "K"), ("Bayesian", "B"),
    ("Uncertainty", "U"), ("Federated", "F"), ("Neural", "N"), ("Optimization", "O"), ("Window", "W"),
]
SYLLABLES = ["flex", "quant", "spar", "tri", "neo", "lumi", "orca", "zeph", "astra", "kilo", "mira", "nova",
             "pulse", "vort", "hexa", "glide", "ember", "cora", "tessa", "rune", "loom", "echo", "fuse", "vista"]
NAME_TAILS = ["Net", "Former", "LM", "Quant", "Diff", "GNN", "Align", "Mix", "RL", "Seg", "Det", "Bench", "-KV",
              "Gen", "Coder", "Math", "Prune", "Route", "Agent", ""]
FIRST_NAMES = ["Wei", "Anna", "Rahul", "Sofia", "Kenji", "Maria", "Chen", "Lucas", "Aisha", "Tom", "Yuki",
               "Omar", "Elena", "Jun", "Priya", "David", "Lena", "Mateo", "Hana", "Ivan"]
LAST_NAMES = ["Zhang", "Smith", "Kumar", "Garcia", "Tanaka", "Rossi", "Li", "Martin", "Khan", "Novak", "Sato",
              "Haddad", "Petrova", "Wang", "Iyer", "Cohen", "Schmidt", "Lopez", "Kim", "Ivanov"]
CATEGORIES = ["cs.LG", "cs.CL", "cs.CV", "cs.AI", "stat.ML", "cs.IR", "cs.RO", "eess.AS", "cs.DC"]


# ------------------------------------------------------------------------------------------- pieces

def _model(r: random.Random) -> str:
    family = r.choice(list(MODEL_FAMILIES))
    versions, sizes, suffixes = MODEL_FAMILIES[family]
    return family + r.choice(versions) + r.choice(sizes) + r.choice(suffixes)


def _new_name(r: random.Random) -> str:
    """An invented system name: CamelCase from syllables, sometimes with a tail or a version digit."""
    head = "".join(s.capitalize() for s in r.sample(SYLLABLES, r.choice((1, 2, 2, 3))))
    name = head + r.choice(NAME_TAILS)
    if r.random() < 0.25:
        name += f"-{r.choice(('v2', '2', 'XL', 'Lite', 'Pro', 'R1', 'Zero'))}"
    if r.random() < 0.2:
        name = name.upper() if len(name) <= 6 else name
    return name


def _acronym_def(r: random.Random) -> tuple[str, str]:
    """('Hierarchical Sparse Token Routing', 'HSTR'): a long form and the acronym it defines."""
    words = r.sample(LONG_WORDS, r.choice((2, 3, 3, 4)))
    return " ".join(w for w, _ in words), "".join(a for _, a in words)


def _method(r: random.Random) -> str:
    acr, long = r.choice(METHODS)
    if long and r.random() < 0.3:
        return f"{long} ({acr})"
    return acr


def _score(r: random.Random, lo: float, hi: float) -> str:
    v = r.uniform(lo, hi)
    return f"{v:.2f}" if hi < 2 else f"{v:.1f}"


def _dataset_names(r: random.Random, k: int) -> list:
    return r.sample(DATASETS, k)


def _join(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


# ------------------------------------------------------------------------------------------- a paper

def generate_record(i: int, seed: int = DEFAULT_SEED) -> dict:
    """The ``i``-th synthetic paper of the corpus with ``seed``: a dict in the arXiv snapshot's fields."""
    r = random.Random(seed * 1_000_003 + i)
    task = r.choice(TASKS)
    challenge = r.choice(CHALLENGES)
    adj, approach = r.choice(ADJECTIVES), r.choice(APPROACHES)
    if r.random() < 0.35:
        long, name = _acronym_def(r)
        intro_name = f"{long} ({name})"
    else:
        name = _new_name(r)
        intro_name = name
    models = [_model(r) for _ in range(r.choice((1, 2, 2, 3)))]
    methods = [_method(r) for _ in range(r.choice((1, 2, 2, 3)))]
    technique = r.choice(TECHNIQUES)
    datasets = _dataset_names(r, r.choice((1, 2, 3, 3, 4)))
    hardware = r.choice(HARDWARE)

    s = []
    s.append(r.choice([
        f"{task.capitalize()} has seen rapid progress, yet current systems still suffer from {challenge}.",
        f"Recent advances in {task} are limited by {challenge}.",
        f"Large models have transformed {task}, but {challenge} remains a central obstacle.",
        f"Despite strong results with {methods[0]}, {task} is still hampered by {challenge}.",
    ]))
    if r.random() < 0.5:
        s.append(r.choice([
            f"Such settings are common in practice, from {r.choice(TASKS)} to {r.choice(TASKS)}, where "
            "labelled data is scarce and compute budgets are tight.",
            f"The problem is especially severe for models with billions of parameters such as {models[-1]}.",
            f"A growing body of work studies {technique}, but its interaction with {methods[0]} is poorly "
            "understood.",
            "These limitations matter for real deployments, where latency, memory and robustness must be "
            "balanced at once.",
        ]))
    s.append(r.choice([
        f"Existing approaches based on {methods[0]} either trade accuracy for speed or require costly retraining.",
        f"Prior work typically relies on {technique}, which scales poorly with model size.",
        "Most prior methods treat the problem in isolation and ignore the structure shared across inputs.",
        f"Moreover, models such as {models[0]} are expensive to adapt to new domains.",
    ]))
    s.append(r.choice([
        f"In this paper, we propose {intro_name}, a {adj} {approach} for {task}.",
        f"We introduce {intro_name}, a {adj} {approach} that addresses {challenge}.",
        f"To this end, we present {intro_name}, which combines {technique} with {methods[-1]}.",
        f"This work proposes {intro_name}, a {adj} {approach} built on {methods[-1]}.",
    ]))
    detail = [
        f"{name} fine-tunes {models[0]} with {methods[-1]} and a small set of synthetic examples.",
        f"The key idea is to apply {technique} to the intermediate representations of {models[-1]}.",
        f"{name} routes each input through a learned selector and reuses cached states, requiring no extra labels.",
        f"Our method uses {models[0]} as a teacher and distills its predictions into a compact student.",
        "We further derive a convergence guarantee under standard smoothness assumptions.",
    ]
    s.extend(r.sample(detail, r.choice((2, 2, 3))))
    if r.random() < 0.85:
        s.append(r.choice([
            f"Unlike {methods[0]}, {name} needs no task-specific tuning and adds less than {r.randint(1, 9)}% "
            "parameters.",
            f"We also provide a theoretical analysis showing that {technique} bounds the error of the "
            "approximation.",
            f"In addition, we construct a diagnostic suite of {r.randint(2, 40) * 50} examples to probe where "
            "models fail.",
            f"Compared with {models[-1]}, our design keeps the same inference cost while using {technique}.",
        ]))
    ds_names = [d[0] for d in datasets]
    s.append(r.choice([
        f"We evaluate {name} on {_join(ds_names)}.",
        f"Extensive experiments on {_join(ds_names)} demonstrate the effectiveness of our approach.",
        f"Experiments cover {len(ds_names)} benchmarks, including {_join(ds_names)}.",
    ]))
    for ds, metric, unit, lo, hi in datasets[: r.choice((1, 2, 2, 3))]:
        v = _score(r, lo, hi)
        gain = f"{r.uniform(0.3, 9.5):.1f}"
        s.append(r.choice([
            f"On {ds}, {name} achieves {v}{unit} {metric}, outperforming {models[-1]} by {gain} points.",
            f"{name} reaches {v}{unit} {metric} on {ds}, compared with {_score(r, lo, hi)}{unit} for {models[0]}.",
            f"It improves {metric} on {ds} by {gain}{unit or ' points'} over the strongest baseline.",
            f"With {models[0]} as the backbone, our method obtains a {metric} of {v}{unit} on {ds}.",
        ]))
    s.append(r.choice([
        f"Training takes {r.randint(2, 96)} hours on {r.choice((4, 8, 16, 64))} {hardware}.",
        f"On {hardware}, {name} runs {r.uniform(1.2, 6.0):.1f}x faster than the baseline with "
        f"{r.randint(20, 75)}% less memory.",
        f"All experiments run on {hardware}.",
        f"The resulting model fits on {hardware} and serves requests with {r.randint(5, 200)} ms latency.",
    ]))
    s.append(r.choice([
        f"Code is available at https://github.com/{r.choice(LAST_NAMES).lower()}-lab/{name.lower()}.",
        f"Our results suggest that {technique} is a practical path to {adj} {task}.",
        "We release our code, models and evaluation scripts to facilitate future research.",
        f"Ablation studies confirm that each component of {name} contributes to the final performance.",
    ]))
    method_short = methods[-1].split(" (")[0]
    title = r.choice([
        f"{name}: {adj.capitalize()} {task.title()} with {method_short}",
        f"{name}: Towards {adj.capitalize()} {task.title()} beyond {models[0]}",
        f"{name}: {adj.capitalize()} {task.title()} via {technique.title()}",
        f"Scaling {task.title()} with {name} and {method_short}",
        f"{name}: {challenge[0].upper()}{challenge[1:]} in {task.title()}",
        f"{intro_name} for {adj.capitalize()} {task.title()}",
        f"Rethinking {technique.title()} for {task.title()}: the {name} {approach.title()}",
    ])
    yymm = f"{23 + (i // 40000) % 3:02d}{1 + (i // 3333) % 12:02d}"
    authors = ", ".join(f"{r.choice(FIRST_NAMES)} {r.choice(LAST_NAMES)}" for _ in range(r.randint(1, 6)))
    return {
        "id": f"{yymm}.{i % 100000:05d}",
        "title": title,
        "abstract": " ".join(s),
        "authors": authors,
        "categories": " ".join(r.sample(CATEGORIES, r.choice((1, 2, 3)))),
        "update_date": f"20{yymm[:2]}-{yymm[2:]}-{1 + i % 28:02d}",
    }


def generate_records(n: int, seed: int = DEFAULT_SEED, start: int = 0) -> Iterator[dict]:
    """Papers ``start`` .. ``start + n - 1`` of the corpus with ``seed``."""
    for i in range(start, start + n):
        yield generate_record(i, seed)


def write_corpus(path: Path, n: int, seed: int = DEFAULT_SEED, start: int = 0) -> Path:
    """Write ``n`` papers as JSON Lines to ``path`` (created with its parents); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for rec in generate_records(n, seed, start):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Write N synthetic ML abstracts as arXiv-style JSON Lines.")
    ap.add_argument("n", type=int, help="how many papers")
    ap.add_argument("-o", "--out", type=Path, required=True, help="JSON Lines file to write")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--start", type=int, default=0, help="index of the first paper (for incremental batches)")
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("n must be >= 0")
    write_corpus(args.out, args.n, args.seed, args.start)
    print(f"Wrote {args.n} papers to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
