"""Pure functions on names: cross-paper keys, model-name structure, the shape of a name.

No spaCy here; the rule components call these on token text.

>>> entity_key("LLaMA-2") == entity_key("Llama 2") == entity_key("Llama-2")
True
>>> entity_key("MiniF2F") == entity_key("miniF2F")
True
>>> parse_model_name("Llama-3.1-8B-Instruct", "Llama")
(('Llama-3.1', 'Llama'), 8000000000.0)
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["entity_key", "parse_model_name", "is_version", "is_size", "MODEL_SUFFIXES", "name_shaped",
           "strip_split", "acronym_matches", "QUANTITY"]

# Parts that may follow a model family name (compared lower-cased).
MODEL_SUFFIXES = frozenset("""
instruct instruction chat base math coder code prover distill distilled vision vl turbo mini nano pro ultra
flash lite max plus sonnet opus haiku large small medium xl xxl tiny it hf preview moe zero reasoning thinking
exp sft rl dpo long omni audio embed embedding v lm llm deepseek qwen llama mistral mixtral gemma phi ift
solver verifier reward rm orm prm o oss scout maverick nemo edge
""".split())

_VERSION = re.compile(r"^(v?\d+(\.\d+)*[a-z]?|[a-z]\d+(\.\d+)*[a-z]?|\d{4}|\d+k)$", re.I)
_SIZE = re.compile(r"^(\d+(\.\d+)?)([bmkt])$|^\d+x\d+(\.\d+)?b$|^a\d+(\.\d+)?b$", re.I)
# Tokens that are amounts, not names: 13B, 8x80GB, 4-bit, 2:4, 29k, 1.5B-parameter.
QUANTITY = re.compile(r"^[\d.,:x×/+~-]+([kmbgt]b?|bn|bit|bits|-bit|-bits|x|×|%)?(-[a-z]+)?$", re.I)

_SPLITS = re.compile(r"(?:[\s-](?:test|valid|validation|val|dev|train|training|eval)(?:\s+set)?)$", re.I)
_SCALE = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}


@lru_cache(maxsize=262144)  # a pure function called per token: memoised
def entity_key(name: str) -> str:
    """A spelling-independent key: case, spaces, hyphens and a letter-digit boundary do not matter.

    Alphanumeric runs are lower-cased and joined with '-', with a break inserted where letters turn into
    digits (so 'LLaMA2' and 'Llama 2' agree); '+' becomes 'plus'. The result is safe in an IRI path.

    >>> entity_key("Qwen2.5-Math-7B-Instruct")
    'qwen-2.5-math-7b-instruct'
    >>> entity_key("SmoothQuant+")
    'smoothquant-plus'
    """
    s = unicodedata.normalize("NFKD", name)
    s = s.encode("ascii", "ignore").decode("ascii").replace("+", " plus ")
    s = re.sub(r"(?<=[A-Za-z])(?=\d)", " ", s)
    s = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", s)
    parts = re.findall(r"[A-Za-z0-9.]+", s)
    key = "-".join(p.lower() for p in parts if p.strip("."))
    return key


def is_version(part: str) -> bool:
    return bool(_VERSION.match(part))


def is_size(part: str) -> bool:
    return bool(_SIZE.match(part))


def _parts(rest: str) -> list[str]:
    return [p for p in re.split(r"[-_\s]+", rest) if p]


def parse_model_name(name: str, family: str) -> tuple[tuple[str, ...], float | None]:
    """The family chain (nearest first) and parameter count of a model name starting with `family`.

    >>> parse_model_name("Qwen2.5-Math-7B-Instruct", "Qwen")
    (('Qwen2.5', 'Qwen'), 7000000000.0)
    >>> parse_model_name("GPT-4o-mini", "GPT")
    (('GPT-4o', 'GPT'), None)
    >>> parse_model_name("Llama", "Llama")
    ((), None)
    """
    rest = name[len(family):]
    parts = _parts(rest)
    params = None
    for p in parts:
        m = re.match(r"^(\d+(?:\.\d+)?)([bmkt])$", p, re.I)
        if m:
            params = float(m.group(1)) * _SCALE[m.group(2).lower()]
            break
    chain: list[str] = []
    if parts and is_version(parts[0]) and not is_size(parts[0]) and len(parts) > 1:
        # Keep the writer's separator between family and version (Qwen2.5, Llama-3.1, Claude 3.7).
        sep = rest[: len(rest) - len(rest.lstrip("-_ "))]
        chain.append(f"{family}{sep}{parts[0]}")
    if parts:
        chain.append(family)
    return tuple(chain), params


def strip_split(name: str) -> str:
    """Drop a split suffix from a dataset name: 'miniF2F-test' -> 'miniF2F'.

    >>> strip_split("MiniF2F-Valid"), strip_split("MATH-500")
    ('MiniF2F', 'MATH-500')
    """
    base = _SPLITS.sub("", name).strip()
    return base if len(base) >= 2 else name


_LOWER_SUFFIX = re.compile(r"^[a-z]+$")


@lru_cache(maxsize=262144)
def name_shaped(text: str) -> bool:
    """Does a single token look like a proper name of a technical thing?

    Mixed case inside a word (DaSLaM, EasyQuant, miniF2F), an all-caps part of two or more letters (VPTQ,
    T-MAC), or letters with digits and a capital (GSM8K, C4). Plain title-case words do not count.

    >>> [name_shaped(w) for w in ["DaSLaM", "VPTQ", "T-MAC", "GSM8K", "Lyra", "Second-Order", "13B", "x"]]
    [True, True, True, True, False, False, False, False]
    """
    if len(text) < 2 or not any(c.isalpha() for c in text) or text[0].isdigit():
        return False
    if QUANTITY.match(text) or any(c in text for c in "_@\\=<>|"):
        return False
    for part in re.split(r"[-/]", text):
        if not part:
            continue
        letters = [c for c in part if c.isalpha()]
        if len(letters) >= 2 and all(c.isupper() for c in letters):
            return True
        if re.search(r"[a-z][A-Z]", part):
            return True
        if any(c.isdigit() for c in part) and any(c.isupper() for c in part):
            return True
    return False


def _initials(words: list[str]) -> str:
    out = []
    for w in words:
        for part in re.split(r"[-/]", w):
            if part:
                out.append(part[0].lower())
                out.extend(c.lower() for c in part[1:] if c.isupper())
    return "".join(out)


def acronym_matches(acronym: str, words: list[str]) -> bool:
    """Do the words spell the acronym by their initials (small words may be skipped)?

    >>> acronym_matches("RLSP", ["Reinforcement", "Learning", "via", "Self-Play"])
    True
    >>> acronym_matches("LML", ["Levenberg-Marquardt-Langevin"])
    True
    >>> acronym_matches("WM", ["the", "weight", "matching"])
    False
    """
    letters = [c.lower() for c in acronym if c.isalpha()]
    if acronym.endswith("s") and len(letters) > 2 and acronym[-2].isupper():
        letters = letters[:-1]
    if not letters or not words:
        return False
    initials = _initials(words)
    if not initials or initials[0] != letters[0]:
        return False
    # every word's initial must be used, except small function words
    i = 0
    for c in letters:
        j = initials.find(c, i)
        if j < 0:
            return False
        i = j + 1
    return len(letters) >= max(2, len([w for w in words if w.lower() not in _SMALL]) )  or len(words) == 1


_SMALL = {"of", "via", "for", "and", "the", "with", "to", "in", "on", "by", "from", "a", "an"}
