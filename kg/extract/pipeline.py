"""The spaCy pipeline: a blank English tokenizer tuned for model names, plus rule components.

Components (registered factories, configured in `build_pipeline`):

* ``sentencizer`` (spaCy's): the title is sentence 0; the abstract splits at sentence-final punctuation.
* ``kg_mentions``: finds names (gazetteers, model-name structure, acronym definitions, name shape, cue
  nouns), types them and groups them into entities: ``doc._.kg_entities``.
* ``kg_relations``: links each entity to the paper (proposes, uses..., evaluatedOn, targetsHardware) and
  reads dataset-tied numeric results: ``doc._.kg_extraction``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_suffix_regex

from .names import (MODEL_SUFFIXES, acronym_matches, entity_key, is_size, is_version, name_shaped,
                    parse_model_name, strip_split, QUANTITY)
from .records import Entity, Link, PaperExtraction, Result
from .resources import GazEntry, Resources, load_resources

__all__ = ["build_pipeline", "TITLE_SEPARATOR", "light_tokens", "span_text"]

TITLE_SEPARATOR = "\n\n"

if not Doc.has_extension("kg_mentions"):
    Doc.set_extension("kg_mentions", default=None)
if not Doc.has_extension("kg_extraction"):
    Doc.set_extension("kg_extraction", default=None)


# ------------------------------------------------------------------------------------ tokenizer

def _tokenizer_without_hyphen_splits(nlp):
    """Keep 'Llama-3.1-8B-Instruct' and 'MCM/ICM' as single tokens: drop the hyphen and slash infixes."""
    infixes = [p for p in nlp.Defaults.infixes if "-" not in p and "/" not in p and "\\-" not in p]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    # "Qwen2-VL-7B." and "GSM8K." end sentences: split the period after a capital or digit too
    # Units after numbers stay attached ("1M", "10K", "7B", "80GB" are sizes inside names), except '%'.
    suffixes = [p for p in nlp.Defaults.suffixes if "km|km²" not in p] + [r"(?<=[0-9])%", r"(?<=[A-Z0-9])\."]
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    for abbrev in ("al.", "Fig.", "Figs.", "Eq.", "Eqs.", "Sec.", "Tab.", "approx.", "resp.", "cf.", "vs.", "w.r.t."):
        nlp.tokenizer.add_special_case(abbrev, [{"ORTH": abbrev}])


# ------------------------------------------------------------------------------------ sentences

def _add_sentencizer(nlp):
    """spaCy's rule sentencizer, with the blank line after the title as a boundary of its own."""
    from spacy.pipeline.sentencizer import Sentencizer

    punct = list(Sentencizer.default_punct_chars) + [TITLE_SEPARATOR]
    nlp.add_pipe("sentencizer", config={"punct_chars": punct})


# ------------------------------------------------------------------------------------ light tokens

class Tok:
    """The token attributes the rules read, copied out of the Doc in one pass.

    spaCy builds a new Python Token object on every access, which dominated the extractor's run time;
    these plain objects are made once per doc from `Doc.to_array`.
    """

    __slots__ = ("i", "text", "lower_", "is_punct", "is_space", "is_alpha", "is_lower", "is_digit",
                 "whitespace_", "is_sent_start")

    def __init__(self, i, lexeme, whitespace_, is_sent_start):
        self.i = i
        self.text, self.lower_, self.is_punct, self.is_space, self.is_alpha, self.is_lower, self.is_digit = lexeme
        self.whitespace_ = whitespace_
        self.is_sent_start = is_sent_start


_ATTRS = ["ORTH", "SPACY", "SENT_START"]
# (text, lower_, is_punct, is_space, is_alpha, is_lower, is_digit) by orth id: lexical attributes depend on
# the string alone (every pipeline here is blank English), so they are read from the vocab once per string.
_LEXEMES: dict[int, tuple] = {}


def _lexeme(vocab, orth: int) -> tuple:
    lex = vocab[orth]
    if len(_LEXEMES) > 500_000:
        _LEXEMES.clear()
    got = _LEXEMES[orth] = (lex.orth_, lex.lower_, lex.is_punct, lex.is_space, lex.is_alpha, lex.is_lower,
                            lex.is_digit)
    return got


def light_tokens(doc: Doc) -> list[Tok]:
    """The doc's tokens as `Tok` objects (cached on the doc while the pipeline runs)."""
    cached = doc.user_data.get("kg_toks")
    if cached is not None:
        return cached
    vocab = doc.vocab
    lexeme = _LEXEMES.get
    toks = [Tok(i, lexeme(o) or _lexeme(vocab, o), " " if ws else "", ss == 1)
            for i, (o, ws, ss) in enumerate(doc.to_array(_ATTRS).tolist())]
    doc.user_data["kg_toks"] = toks
    return toks


def span_text(toks: list[Tok], start: int, end: int) -> str:
    """`doc[start:end].text`, from the light tokens."""
    text = "".join([t.text + t.whitespace_ for t in toks[start:end]])
    return text[:-1] if start < end and toks[end - 1].whitespace_ else text


# ------------------------------------------------------------------------------------ mentions

@dataclass(slots=True)
class Mention:
    start: int  # token offsets
    end: int
    type: str
    text: str  # surface form
    key: str
    name: str  # preferred spelling for this mention
    rule: str
    conf: float
    aliases: list = field(default_factory=list)
    benchmark: bool = False
    family: tuple = ()
    params: float | None = None
    known: bool = False  # from a gazetteer


_SUFFIX_WORDS = ("based", "style", "like", "driven", "guided", "aware", "specific", "level", "only", "free",
                 "enhanced", "powered", "augmented", "generated", "trained", "tuned", "sized", "scale", "grade",
                 "centric", "native", "friendly", "compatible", "inspired", "oriented", "bit", "bits")
_STOP_CAPS = {"The", "A", "An", "Our", "We", "This", "These", "That", "In", "On", "For", "To", "By", "With",
              "New", "Novel", "Existing", "Recent", "Current", "Prior", "Previous", "Modern", "Standard",
              "Extensive", "Experimental", "Empirical", "Finally", "First", "Second", "Third", "However",
              "Moreover", "Furthermore", "Additionally", "Specifically", "Notably", "Overall", "Unlike",
              "Both", "Each", "All", "Many", "Most", "Some", "Such", "Large", "Small", "General", "Unified",
              "Efficient", "Simple", "Scalable", "Comprehensive", "Challenging", "Diverse", "Dynamic",
              "Several", "Various", "Multiple", "Other", "Its", "Their", "Results", "Experiments", "When",
              "While", "Using", "Based", "Given", "To", "As", "At", "Of", "And", "Or", "From", "Into",
              "Instead", "Here", "There", "It", "Recently", "Specialized", "Additional", "Further"}
_VENDOR = re.compile(r"^(OpenAI|Meta|Google|Anthropic|Alibaba|Microsoft|xAI|NVIDIA|Nvidia|DeepMind)[-_]")
_COMPONENT_CUES = {"propose", "proposes", "introduce", "introduces", "present", "presents", "components",
                   "component", "modules", "module", "consists", "comprises", "comprising", "includes", "including",
                   "stages", "mechanisms", "techniques", "technique", "strategies", "innovations", "key", "provide"}
_TITLE_WORD = re.compile(r"^[A-Z][a-z]+(-[A-Z][a-z]+)*$")
_WORDLIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+'\-]*$")
_SPLIT_WORDS = {"test", "valid", "validation", "training", "train", "dev", "evaluation", "benchmark", "benchmarks",
                "dataset", "datasets", "data", "public", "standard", "popular", "several", "new", "existing"}
_STOPWORDS = None


def _is_stopword(word: str) -> bool:
    global _STOPWORDS
    if _STOPWORDS is None:
        from spacy.lang.en.stop_words import STOP_WORDS

        _STOPWORDS = STOP_WORDS
    return word.lower() in _STOPWORDS


class Word(NamedTuple):
    """What the single-token rules make of a token text; it depends on the text alone, so it is memoised."""

    gazetteer: tuple | None  # (entry, cleaned text) when the key index knows the token
    model_start: bool  # a model name may start here (`Annotator.model_at` decides, reading on)
    shaped: str | None  # the cleaned text when the token is name-shaped
    title_word: bool  # a Title-Case word that is not a stop word ("Salience-Determined")


_DETERMINERS = {"a", "an", "the", "our", "their", "its", "this", "these", "that", "novel", "new", "we", "and",
                "or", "of", "to", "with", "as", "is", "are", "called", "named", "using", "on", "in", "by",
                "for", "from", "via", "termed", "dubbed", "namely", "e.g.", "i.e.", "such", "like"}


class Annotator:
    """Finds entity mentions in a Doc; one instance per pipeline, holding the compiled gazetteers."""

    def __init__(self, nlp, resources: Resources):
        self.res = resources
        self.generic = resources.generic
        self.cues = resources.cues
        self.cased = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.uncased = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.entries: dict[str, GazEntry] = {}
        for group in (resources.datasets, resources.methods, resources.hardware):
            for e in group:
                ident = f"{e.type}|{e.name}"
                self.entries[ident] = e
                docs = [nlp.make_doc(f) for f in e.forms]
                (self.cased if e.cased else self.uncased).add(ident, docs)
        # model families, longest form first so DeepSeekMath wins over DeepSeek
        fam = []
        for e in resources.families:
            for f in e.forms:
                fam.append((f, e))
        fam.sort(key=lambda fe: (-len(fe[0]), fe[0]))
        self.families = fam
        self.families_by_prefix: dict[str, list] = {}
        for f, e in fam:
            self.families_by_prefix.setdefault(f.lower()[:2], []).append((f, e))
        self._family_cache: dict = {}
        self._word_cache: dict[str, Word] = {}
        self.family_first_words = {}
        for f, e in fam:
            if " " in f:
                self.family_first_words.setdefault(f.split()[0].lower(), []).append((f, e))
        self.metric_names = frozenset(resources.cues["metrics"])  # metric names are never entities
        # single-token lookup by key catches spellings the phrase matchers miss (Proofnet-test, WikiText2)
        self.key_index: dict[str, GazEntry] = {}
        for group in (resources.datasets, resources.methods, resources.hardware):
            for e in group:
                if e.context:
                    continue
                for f in e.forms:
                    self.key_index.setdefault(entity_key(f), e)

    # --- model names by structure

    def _family_of(self, text: str):
        try:
            return self._family_cache[text]
        except KeyError:
            pass
        got = self._family_of_uncached(text)
        if len(self._family_cache) > 200_000:
            self._family_cache.clear()
        self._family_cache[text] = got
        return got

    def _family_of_uncached(self, text: str):
        low = text.lower()
        for form, e in self.families_by_prefix.get(low[:2], ()):
            if " " in form:
                continue
            if (text.startswith(form) if e.cased else low.startswith(form.lower())):
                rest = text[len(form):]
                if not rest:
                    return form, e, rest
                if rest[0] in "-_." or rest[0].isdigit() or (rest[0].isupper() and len(form) > 2) or \
                        re.match(r"^v\d", rest):
                    parts = [p for p in re.split(r"[-_]+", rest) if p]
                    if parts and all(is_version(p) or is_size(p) or p.lower() in MODEL_SUFFIXES or
                                     self._is_family_word(p) for p in parts):
                        return form, e, rest
                return None
        return None

    def _is_family_word(self, part: str) -> bool:
        low = part.lower()
        return any(low == f.lower() or (low.startswith(f.lower()) and is_version(low[len(f):]))
                   for f, _ in self.families_by_prefix.get(low[:2], ()) if " " not in f and len(f) > 2)

    def model_at(self, doc: Doc, i: int, toks=None):
        toks = toks if toks is not None else light_tokens(doc)
        """A model mention starting at token i, or None."""
        tok = toks[i]
        text = tok.text
        if tok.is_punct or tok.is_space or tok.is_digit:
            return None
        start, end = i, i + 1
        got = None
        # two-word families (Code Llama, Stable Diffusion)
        for form, e in self.family_first_words.get(text.lower(), ()):
            second = form.split()[1]
            if i + 1 < len(doc) and toks[i + 1].text.lower().startswith(second.lower()):
                rest = toks[i + 1].text[len(second):]
                if not rest or rest[0] in "-_" or rest[0].isdigit():
                    got = (form, e, rest)
                    end = i + 2
                    text = f"{tok.text} {toks[i + 1].text}"
                    break
        if got is None:
            if text.endswith("'s"):
                return None
            vendor = _VENDOR.match(text)
            if vendor:
                text = text[vendor.end():]
            got = self._family_of(text)
        if got is None:
            return None
        form, e, rest = got
        # absorb following version/size/suffix tokens: "Llama 2", "Claude 3.7 Sonnet", "DeepSeekMath 7B"
        while end < len(doc):
            nxt = toks[end].text
            low = nxt.lower()
            if toks[end - 1].whitespace_ == "":
                break
            if is_version(nxt) and not re.match(r"^\d{4}$", nxt) or is_size(nxt) or (
                    low in MODEL_SUFFIXES and nxt[:1].isupper() and low not in {"base", "large", "small"}
                    and (rest or end > i + 1)):
                if re.match(r"^\d+(\.\d+)?$", nxt) and float(nxt) > 20:
                    break
                text = f"{text} {nxt}"
                rest = rest + " " + nxt
                end += 1
            else:
                break
        if e.requires_suffix and not rest.strip():
            return None
        name = text
        family, params = parse_model_name(name, text[: len(form)] if not " " in form else form)
        canon_family = e.forms[0]
        family = tuple(_recase(f, text[: len(form)], canon_family) for f in family)
        return Mention(start, end, "Model", name, entity_key(name), name, "model-structure", 0.85,
                       family=family, params=params, known=True)

    # --- single tokens

    def word(self, tok: Tok) -> Word:
        """The single-token rules' reading of `tok` (memoised by text: a token's flags follow from its text)."""
        try:
            return self._word_cache[tok.text]
        except KeyError:
            pass
        got = Word(self._gazetteer_word(tok), self._may_start_model(tok), self._shaped_text(tok),
                   bool(_TITLE_WORD.match(tok.text)) and tok.text not in _STOP_CAPS)
        if len(self._word_cache) > 200_000:
            self._word_cache.clear()
        self._word_cache[tok.text] = got
        return got

    def _gazetteer_word(self, tok):
        """(entry, cleaned text) when the token, cleaned or without a split suffix, has a gazetteer's key."""
        if len(tok.text) < 2 or (tok.is_lower and tok.is_alpha) or tok.is_punct or tok.is_space:
            return None
        text = self._clean(tok.text)
        for cand in dict.fromkeys((text, strip_split(text))):
            entry = self.key_index.get(entity_key(cand))
            if entry is None or (entry.cased and cand not in entry.forms):
                continue
            return entry, text
        return None

    def _may_start_model(self, tok) -> bool:
        """False when `model_at` would reject the token without reading the tokens after it."""
        if tok.is_punct or tok.is_space or tok.is_digit:
            return False
        if tok.text.lower() in self.family_first_words:
            return True
        if tok.text.endswith("'s"):
            return False
        text = tok.text
        vendor = _VENDOR.match(text)
        if vendor:
            text = text[vendor.end():]
        return self._family_of(text) is not None

    # --- the component

    def __call__(self, doc: Doc) -> Doc:
        toks = light_tokens(doc)
        known = self._word_cache.get
        words = [known(t.text) or self.word(t) for t in toks]
        mentions: list[Mention] = []
        # 1. gazetteers
        for matcher in (self.cased, self.uncased):
            for match_id, s, e in matcher(doc):
                ident = doc.vocab.strings[match_id]
                entry = self.entries[ident]
                written = span_text(toks, s, e)
                if entry.context and not self._hardware_context(toks, s, e):
                    continue
                if entry.type == "Hardware":
                    e = self._extend_hardware(doc, e, toks)
                if entry.type == "Dataset":
                    e = self._extend_split(doc, e, toks)
                name = entry.name
                key = entity_key(entry.name)
                mentions.append(Mention(s, e, entry.type, span_text(toks, s, e), key, name, "gazetteer", 0.9,
                                        aliases=[written], benchmark=entry.kind == "benchmark", known=True))
        covered = {i for m in mentions for i in range(m.start, m.end)}
        for tok, word in zip(toks, words):
            if word.gazetteer is None or tok.i in covered:
                continue
            entry, text = word.gazetteer
            mentions.append(Mention(tok.i, tok.i + 1, entry.type, tok.text, entity_key(entry.name), entry.name,
                                    "gazetteer", 0.85, aliases=[text], benchmark=entry.kind == "benchmark",
                                    known=True))
        # 2. model structure, left to right: a model name's tokens start no other
        end = 0
        for i in [k for k, word in enumerate(words) if word.model_start]:
            if i < end:
                continue
            m = self.model_at(doc, i, toks)
            if m:
                mentions.append(m)
                end = m.end
        # 3. acronym definitions "Long Form (ACR)" and name-shaped tokens, cue-noun phrases
        mentions.extend(self._definitions(doc, toks))
        mentions.extend(self._shaped(toks, words))
        mentions.extend(self._cue_phrases(doc, toks))
        mentions.extend(self._title_case_phrases(toks, words))
        mentions.extend(self._examples(toks))
        doc._.kg_mentions = _resolve_overlaps(mentions)
        return doc

    def _hardware_context(self, toks, s, e) -> bool:
        window = span_text(toks, max(0, s - 4), min(len(toks), e + 4)).lower()
        return any(w in window for w in ("apple", "chip", "macbook", "mac ", "silicon", "ultra", "max", "pro", "soc",
                                         "laptop", "device"))

    def _extend_hardware(self, doc, e, toks):
        # "A100 40GB GPUs", "RTX 4090 GPU": the platform word belongs to the device mention
        j = e
        while j < len(doc) and j - e < 2 and re.match(r"^\d+(GB|G)$", toks[j].text, re.I):
            j += 1
        if j < len(doc) and toks[j].text.lower() in ("gpu", "gpus", "cpu", "cpus", "npu", "tpu", "tpus"):
            return j + 1
        return e

    def _extend_split(self, doc, e, toks):
        if e < len(doc) and toks[e].lower_ in ("test", "valid", "validation", "dev") and (
                e + 1 >= len(doc) or toks[e + 1].lower_ not in ("time",)):
            return e + 1
        return e

    def _is_generic(self, text: str) -> bool:
        t = text.rstrip("'s").rstrip("'") if text.endswith(("'s", "'")) else text
        if t in self.generic or (t.endswith("s") and t[:-1] in self.generic) or t.lower() in self.metric_names:
            return True
        parts = t.split("-")
        if len(parts) > 1 and parts[0] in self.generic and all(_is_lower_word(p) for p in parts[1:]):
            return True
        return False

    def _clean(self, text: str) -> str:
        """Strip possessives and descriptive suffixes: "SmoothQuant-based" -> "SmoothQuant"."""
        if text.endswith("'s"):
            text = text[:-2]
        text = text.rstrip("'’")
        parts = text.split("-")
        while len(parts) > 1 and parts[-1].lower() in _SUFFIX_WORDS:
            parts.pop()
        return "-".join(parts)

    def _shaped(self, toks, words):
        out = []
        for tok, word in zip(toks, words):
            text = word.shaped
            if text is not None:
                out.append(Mention(tok.i, tok.i + 1, "", text, entity_key(text), text, "name-shape", 0.6))
        return out

    def _shaped_text(self, tok):
        """The token's cleaned text when it is a name by its shape ("DaSLaM", "GSM8K-test"), else None."""
        if (tok.is_lower and tok.is_alpha) or tok.is_space or tok.is_punct:
            return None
        text = self._clean(tok.text)
        if not name_shaped(text) or self._is_generic(text) or not _WORDLIKE.match(text):
            return None
        if "://" in tok.text or tok.text.lower().startswith(("www.", "github")) or _is_stopword(text):
            return None
        parts = text.split("-")
        if len(parts) > 1 and _is_lower_word(parts[-1]) and len(parts[-1]) >= 3 and \
                parts[-1] not in ("test", "valid", "dev", "mini", "large", "base", "small", "instruct"):
            return None  # an adjective compound: "MSE-optimal", "GPU-accelerated"
        if "/" in text and all(self._is_generic(x) or not x for x in text.split("/")):
            return None
        if text != tok.text and not tok.text.startswith(text):
            return None
        return text

    def _definitions(self, doc, toks):
        """"Long Form (ACR)": the acronym and its long form become one mention with an alias."""
        out = []
        for tok in toks:
            if tok.text != "(" or tok.i + 2 >= len(doc) or toks[tok.i + 2].text != ")":
                continue
            acr = self._clean(toks[tok.i + 1].text)
            if not re.search(r"[A-Z]", acr) or len(acr) < 2 or self._is_generic(acr) or " " in acr:
                continue
            if acr[0].isdigit():
                continue
            # long form: the shortest run of words before '(' whose initials spell the acronym
            best = None
            j = tok.i - 1
            while j >= 0 and toks[j].text in ("*", "_", '"', "”"):
                j -= 1
            words = []
            while j >= 0 and len(words) < 9 and tok.i - j <= 9:
                w = toks[j]
                if w.is_punct or w.is_space or w.lower_ in _DETERMINERS or w.is_sent_start and w.lower_ in ("we",):
                    break
                words.insert(0, w.text)
                if acronym_matches(acr, words):
                    best = (j, list(words))
                    break
                j -= 1
            if best is None:
                continue
            j, words = best
            long_form = " ".join(words)
            if self._is_generic(long_form) or all(self._is_generic(w) for w in words):
                continue
            letters = sum(c.isalpha() for c in acr)
            key_name = acr if letters >= 3 else long_form
            name = acr if letters >= 3 else long_form
            out.append(Mention(j, tok.i + 3, "", f"{long_form} ({acr})", entity_key(key_name), name,
                               "acronym-definition", 0.8, aliases=[long_form, acr]))
            # the acronym alone elsewhere in the text refers to the same entity
        return out

    def _title_case_phrases(self, toks, words):
        """Runs of two or more Title-Case words inside an abstract sentence: named components
        ("Salience-Determined Bit Allocation"). Sentence starts and the title are left out."""
        out = []
        title_end = next((t.i for t in toks if t.is_space and TITLE_SEPARATOR in t.text), len(toks))
        n = len(toks)
        resume = title_end + 1
        for i in [k for k in range(title_end + 1, n) if words[k].title_word and not toks[k].is_sent_start]:
            if i < resume:
                continue  # inside the run just read
            j = i
            while j < n and words[j].title_word and not (j > i and toks[j].is_sent_start):
                j += 1
            phrase_words = [toks[k].text for k in range(i, j)]
            before = toks[i - 1].text if i > 0 else ""
            after = toks[j].text if j < n else ""
            cut = before[:1].isupper() or after in ("of", "in", "for", "on") or after[:1].isupper()
            if not cut and _title_case_phrase_ok(phrase_words, self.generic) and self._component_sentence(toks, i):
                phrase = " ".join(phrase_words)
                out.append(Mention(i, j, "", phrase, entity_key(phrase), phrase, "title-case", 0.55))
            resume = max(j, i + 1)
        return out

    def _component_sentence(self, toks, i) -> bool:
        """Is token i in a sentence where the paper presents its own parts ("we propose", "consists of")?"""
        start = i
        while start > 0 and not toks[start].is_sent_start:
            start -= 1
        end = i
        while end < len(toks) and not (end > i and toks[end].is_sent_start):
            end += 1
        words = {t.lower_ for t in toks[start:end]}
        return bool(words & _COMPONENT_CUES) and bool(words & {"we", "our", "its", "it", "proposed", "framework", "method"})

    def _cue_phrases(self, doc, toks):
        """Capitalised words right before a cue noun: "Matrix Geometric Resampling procedure"."""
        out = []
        title_end = next((t.i for t in toks if t.is_space and TITLE_SEPARATOR in t.text), len(doc))
        dataset_cues, method_cues = self.cues["dataset_cues"], self.cues["method_cues"]
        for tok in toks:
            low = tok.lower_
            if low in dataset_cues:
                etype = "Dataset"
            elif low in method_cues:
                etype = "Method"
            else:
                continue
            words, j = self._names_before(toks, tok.i - 1, 5)
            if not words or j + 1 < title_end:  # title case makes every title word capitalised
                continue
            if len(words) == 1 and words[0].lower() in _SPLIT_WORDS:
                continue
            phrase = " ".join(words)
            end = tok.i
            if tok.text[:1].isupper() and not tok.is_sent_start:
                phrase = f"{phrase} {tok.text}"  # the cue word is part of the name: "Delta Prover"
                end = tok.i + 1
            elif len(words) == 1 and not name_shaped(phrase) and etype == "Method" and low not in (
                    "algorithm", "optimizer", "prover", "procedure"):
                continue
            out.append(Mention(j + 1, end, etype, phrase, entity_key(phrase), phrase, "cue-noun", 0.7,
                               benchmark=etype == "Dataset"))
            if etype == "Dataset" and not tok.text[:1].isupper() and low.endswith(("s", "corpora")) and low != "tasks":
                out.extend(self._conjuncts(toks, j, title_end))  # "the ETTh1, Traffic and Weather datasets"
        return out

    def _name_word(self, w) -> bool:
        """Can token `w` be a word of a name: capitalised, not at a sentence start, not a stop word,
        punctuation or a generic term?"""
        return (not w.is_sent_start and w.text[:1].isupper() and w.text not in _STOP_CAPS and not w.is_punct
                and not self._is_generic(w.text) and _WORDLIKE.match(w.text) is not None)

    def _names_before(self, toks, j, most):
        """The run of up to `most` name words ending at token `j`, and the index just before it."""
        words = []
        while j >= 0 and len(words) < most and self._name_word(toks[j]):
            words.insert(0, toks[j].text)
            j -= 1
        return words, j

    def _examples(self, toks):
        """Names given as examples: "forecasters such as Informer and Autoformer" (capitalised words after
        "such as", listed with commas, "and" or "or"); their type is decided like a name-shaped token's."""
        out = []
        for tok in toks:
            if tok.lower_ != "such" or tok.i + 2 >= len(toks) or toks[tok.i + 1].lower_ != "as":
                continue
            if tok.i == 0 or not self._technical_head(toks[tok.i - 1]):
                continue  # "mathematicians such as Euler": only examples of technical things
            j = tok.i + 2
            while j < len(toks):
                start = j
                while j < len(toks) and j - start < 3 and self._name_word(toks[j]):
                    j += 1
                if j == start:
                    break
                phrase = " ".join(t.text for t in toks[start:j])
                out.append(Mention(start, j, "", phrase, entity_key(phrase), phrase, "name-shape", 0.6))
                if j >= len(toks) or toks[j].lower_ not in _LIST_SEPARATORS:
                    break
                while j < len(toks) and toks[j].lower_ in _LIST_SEPARATORS:
                    j += 1
        return out

    def _technical_head(self, tok) -> bool:
        """A plural noun naming technical things: a cue noun (methods, models, benchmarks), an agent noun in
        -ers/-ors (forecasters, detectors, optimizers) or a generic acronym (LLMs, GNNs)."""
        low = tok.lower_
        if not low.endswith("s") or len(low) < 4:
            return False
        cues = self.cues
        if any(low[:-1] in cues[k] or low in cues[k] for k in ("method_cues", "dataset_cues", "model_cues")):
            return True
        return low.endswith(("ers", "ors")) or self._is_generic(tok.text)

    def _conjuncts(self, toks, j, title_end):
        """Dataset mentions for the names listed before one named right before a plural cue noun: walking
        back from token `j` over "and", "or" and commas, each run of capitalised words is one more name."""
        out = []
        while j >= 1 and toks[j].lower_ in _LIST_SEPARATORS:
            while j >= 1 and toks[j].lower_ in _LIST_SEPARATORS:
                j -= 1
            end = j + 1
            words, j = self._names_before(toks, j, 3)
            if not words or j + 1 < title_end:
                break
            phrase = " ".join(words)
            out.append(Mention(j + 1, end, "Dataset", phrase, entity_key(phrase), phrase, "cue-noun", 0.7,
                               benchmark=True))
        return out


_LIST_SEPARATORS = (",", "and", "or")

_GENERIC_HEADS = {"Models", "Model", "LLMs", "Networks", "Network", "Systems", "Agents", "Methods", "Processes",
                  "Process", "Learning", "Language", "Languages", "Intelligence", "Optimization", "Quantization",
                  "Training", "Tuning", "Fine-Tuning", "Reasoning", "Generation", "Search", "Algorithms", "Tasks",
                  "Problems", "Questions", "Answering", "Retrieval", "Recognition", "Detection", "Segmentation",
                  "Classification", "Translation", "Summarization", "Inference", "Decoding", "Sampling"}


def _title_case_phrase_ok(words, generic) -> bool:
    if len(words) < 2 or words[-1] in _GENERIC_HEADS:
        return False
    if all(w in generic for w in words):
        return False
    return True


def _is_lower_word(p: str) -> bool:
    return p.isalpha() and p.islower()


def _recase(family_name: str, written_family: str, canonical_family: str) -> str:
    """Use the gazetteer's spelling of the family in derived names (LLAMA-2 -> Llama-2)."""
    if family_name.lower().startswith(written_family.lower()):
        return canonical_family + family_name[len(written_family):]
    return family_name


_RULE_RANK = {"gazetteer": 5, "model-structure": 4, "acronym-definition": 3, "cue-noun": 2, "name-shape": 1,
              "title-case": 0}


def _resolve_overlaps(mentions):
    """Keep the longest mention where they overlap; among equal lengths the stronger rule."""
    mentions = sorted(mentions, key=lambda m: (-(m.end - m.start), -_RULE_RANK[m.rule], m.start))
    taken = set()
    out = []
    for m in mentions:
        span = range(m.start, m.end)
        if not taken.isdisjoint(span):
            # a definition mention may contain a known name: let the known name stand, drop the definition
            continue
        taken.update(span)
        out.append(m)
    out.sort(key=lambda m: m.start)
    return out


@Language.factory("kg_mentions", default_config={})
def make_mentions(nlp, name):
    return Annotator(nlp, load_resources())


def build_pipeline():
    """The blank English pipeline with paperkg's rule components; build once and reuse."""
    from .relations import make_relations  # noqa: F401  (registers the factory)

    nlp = spacy.blank("en")
    _tokenizer_without_hyphen_splits(nlp)
    _add_sentencizer(nlp)
    nlp.add_pipe("kg_mentions")
    nlp.add_pipe("kg_relations")
    return nlp
