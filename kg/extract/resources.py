"""Load and validate the extraction rules that live in data files under ``kg/extract/data``.

Gazetteers are JSON Lines, one entry per line; word lists are JSON or plain text. Every entry is checked
on load, and a bad one raises `RuleError` naming the file, the line and the problem.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import RuleError

__all__ = ["DATA_DIR", "Gazetteer", "GazEntry", "load_gazetteer", "load_resources", "Resources"]

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class GazEntry:
    """One well-known name with its type, canonical spelling and the surface forms that denote it."""

    type: str
    name: str
    forms: tuple[str, ...]
    cased: bool = False
    kind: str = ""  # dataset: benchmark|dataset; hardware: platform|device
    requires_suffix: bool = False  # model family that is a common word alone (OPT, Yi): needs a version
    context: bool = False  # ambiguous alone (M1, M2): only with a hardware word nearby


_FIELDS = {
    "model_families.jsonl": ("Model", "family", {"family", "aliases", "vendor", "source", "cased",
                                                  "requires_suffix"}),
    "datasets.jsonl": ("Dataset", "name", {"name", "aliases", "kind", "cased", "source"}),
    "methods.jsonl": ("Method", "name", {"name", "aliases", "cased", "source"}),
    "hardware.jsonl": ("Hardware", "name", {"name", "aliases", "kind", "cased", "source", "context"}),
}


def load_gazetteer(path: Path) -> list[GazEntry]:
    """Read one gazetteer file, validating each line.

    >>> entries = load_gazetteer(DATA_DIR / "hardware.jsonl")
    >>> next(e for e in entries if e.name == "NVIDIA A100").forms[:2]
    ('NVIDIA A100', 'A100')
    """
    path = Path(path)
    if path.name not in _FIELDS:
        raise RuleError(f"{path}: unknown gazetteer file (expected one of {', '.join(sorted(_FIELDS))})")
    etype, name_field, allowed = _FIELDS[path.name]
    out = []
    seen = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise RuleError(f"{path}:{lineno}: not valid JSON ({e.msg})") from None
        if not isinstance(rec, dict):
            raise RuleError(f"{path}:{lineno}: entry must be a JSON object")
        unknown = set(rec) - allowed
        if unknown:
            raise RuleError(f"{path}:{lineno}: unknown field(s) {', '.join(sorted(unknown))}")
        name = rec.get(name_field)
        if not isinstance(name, str) or not name.strip():
            raise RuleError(f"{path}:{lineno}: missing or empty '{name_field}'")
        aliases = rec.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise RuleError(f"{path}:{lineno}: 'aliases' must be a list of non-empty strings")
        if name in seen:
            raise RuleError(f"{path}:{lineno}: duplicate entry '{name}' (first on line {seen[name]})")
        seen[name] = lineno
        forms = tuple(dict.fromkeys([name, *aliases]))
        out.append(GazEntry(type=etype, name=name, forms=forms, cased=bool(rec.get("cased", False)),
                            kind=str(rec.get("kind", "")), requires_suffix=bool(rec.get("requires_suffix")),
                            context=bool(rec.get("context"))))
    return out


def _word_list(path: Path) -> frozenset[str]:
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line)
    return frozenset(words)


_CUE_KEYS = ("propose_verbs", "naming_words", "clause_breaks", "dataset_cues", "method_cues", "model_cues",
             "train_cues", "eval_cues", "hardware_verbs", "improvement_cues", "metrics", "tasks")


def _cues(path: Path) -> dict[str, frozenset[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise RuleError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None
    out = {}
    for key in _CUE_KEYS:
        words = data.get(key)
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise RuleError(f"{path}: '{key}' must be a list of non-empty strings")
        out[key] = frozenset(w.lower() for w in words)
    unknown = set(data) - set(_CUE_KEYS) - {"_comment"}
    if unknown:
        raise RuleError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
    return out


@dataclass(frozen=True)
class Resources:
    """All rule data the extractor needs, loaded once."""

    families: tuple[GazEntry, ...]
    datasets: tuple[GazEntry, ...]
    methods: tuple[GazEntry, ...]
    hardware: tuple[GazEntry, ...]
    generic: frozenset[str]
    cues: dict


@lru_cache(maxsize=4)
def load_resources(data_dir: Path = DATA_DIR) -> Resources:
    """Load every rule file of `data_dir` (cached: the files are read once per process)."""
    data_dir = Path(data_dir)
    return Resources(
        families=tuple(load_gazetteer(data_dir / "model_families.jsonl")),
        datasets=tuple(load_gazetteer(data_dir / "datasets.jsonl")),
        methods=tuple(load_gazetteer(data_dir / "methods.jsonl")),
        hardware=tuple(load_gazetteer(data_dir / "hardware.jsonl")),
        generic=_word_list(data_dir / "generic_terms.txt"),
        cues=_cues(data_dir / "cues.json"),
    )
