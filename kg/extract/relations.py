"""Relation and result rules: from typed mentions in a Doc to paper links and numeric results."""

from __future__ import annotations

import re
from collections import defaultdict

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .names import entity_key, name_shaped, strip_split
from .pipeline import light_tokens, span_text
from .records import Entity, Link, PaperExtraction, Result
from .resources import Resources, load_resources

__all__ = ["Relater"]

_SUBJECTS = {"we", "our", "paper", "work", "study", "article", "here", "us", "authors"}
_OUR_HEADS = {"proposed", "new", "novel", "method", "framework", "model", "approach", "benchmark", "dataset",
              "system", "algorithm", "agent", "toolkit", "library", "pipeline", "technique", "called", "named"}
_SKIP_BEFORE_NAME = {"a", "an", "the", "novel", "new", "simple", "our", "two", "three", "first", "unified"}
_NAMEWORD = re.compile(r"^[A-Z][A-Za-z0-9.+\-]*$")
_BETWEEN_BEFORE = {"(", ":", ",", "=", "of", "at", "with", "is", "reaches", "from", "to", "%", "\\%", "->", "→", "-",
                   ">", "achieves", "obtains", "scores", "attains", "a", "an", "accuracy", "score"}
_VERBISH = {"improves", "improve", "improving", "increases", "reduces", "lowers", "outperforms", "surpasses",
            "while", "but", "whereas", "achieves", "reaches", "without", "hurting", "compared"}
_RESOURCES = {"cache", "memory", "parameters", "weights", "tokens", "compute", "budget", "cost", "size", "data",
              "layers", "heads", "experts", "vocabulary", "time", "energy", "flops", "storage", "bandwidth"}
_EVAL_VERBS = {"improves", "outperforms", "gains", "evaluate", "evaluated", "evaluating", "evaluation", "evaluations", "experiments", "benchmarks",
               "tested", "test", "achieves", "achieve", "achieving", "attains", "reaches", "scores"}
_METHOD_SHAPE = re.compile(r"(quant|net|former|gpt|lm|llm|opt|prover|agent|rl|po)$", re.I)
_MODEL_SHAPE = re.compile(r"(^|[-_ ])\d+(\.\d+)?[BMT]($|[-_ ])|[-_ ](Instruct|Chat|Base|Coder|VL)($|[-_ ])")
_DATASET_SHAPE = re.compile(r"(bench|benchmark|eval|arena|qa|corpus|instruct|set|data|\d+[kK])$", re.I)
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"^\d+(?:,\d{3})*(?:\.\d+)?$")
_NUMBER_PCT = re.compile(r"^(\d+(?:\.\d+)?)\\?%$")
_ARROW = re.compile(r"^(\d+(?:\.\d+)?%?)\\?(?:downarrow|uparrow|↓|↑)$")
_APPROX = {"than", "about", "around", "approximately", "nearly", "almost", "roughly", "geq", "leq", "≥", "≤",
           ">", "<", "~", "≈", "over", "least", "most", "under", "below", "above", "exceeding", "exceeds", "within"}
_APPROX2 = {"up to", "at least", "at most", "less than", "more than", "fewer than", "greater than"}
_RATIO = re.compile(r"^(\d+)/(\d+)$")
_TIMES = re.compile(r"^(\d+(?:\.\d+)?)[x×]$")
_NOT_RESULT_NEXT = {"b", "m", "k", "billion", "million", "thousand", "parameters", "parameter", "problems",
                    "tokens", "samples", "examples", "steps", "times", "layers", "gb", "mb", "bits", "bit",
                    "-bit", "questions", "tasks", "models", "languages", "hours", "days", "seconds", "gpus",
                    "instances", "pairs", "papers", "datasets", "benchmarks", "categories", "domains", "k",
                    "epochs", "iterations", "rounds", "queries", "images", "videos", "users", "agents",
                    "theorems", "proofs", "nodes", "documents", "words", "lines", "files", "shots", "shot"}
_CONFIDENCE = {"gazetteer": 0.9, "model-structure": 0.85, "cue-context": 0.75, "shape-type": 0.7,
               "preposition": 0.5, "title-type": 0.8}
_USE_KIND = {"Model": "usesModel", "Method": "usesMethod", "Hardware": "targetsHardware"}
_PRIORITY = {"gazetteer": 6, "model-structure": 5, "cue-context": 4, "title-type": 4, "shape-type": 3,
             "preposition": 2, "default": 1}


class Relater:
    def __init__(self, nlp, resources: Resources):
        self.res = resources
        self.cues = resources.cues
        self.by_key = {}
        for group in (resources.datasets, resources.methods, resources.hardware):
            for e in group:
                for f in e.forms:
                    self.by_key.setdefault(entity_key(f), e)
        # words of metric names mark an evaluation sentence, except everyday words inside longer names
        self.metric_words = frozenset(w for m in resources.cues["metrics"] for w in m.split()
                                      if " " not in m or w not in _EVERYDAY_METRIC_WORDS)
        self.tasks = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.tasks.add("TASK", [nlp.make_doc(t) for t in sorted(resources.cues["tasks"])])

    # ------------------------------------------------------------------------------ typing

    def _type_of(self, doc: Doc, m) -> tuple[str, str, bool]:
        """(type, why, benchmark) for a mention the gazetteers did not type."""
        if m.type and m.rule in ("gazetteer", "model-structure"):
            return m.type, m.rule, m.benchmark
        toks = light_tokens(doc)
        for form in (m.name, *m.aliases):
            e = self.by_key.get(entity_key(form))
            if e is not None:
                return e.type, "gazetteer", e.kind == "benchmark"
        cues = self.cues
        # a cue noun right after (skipping one lower-case modifier): "CUTEst test set", "LML method"
        for j in range(m.end, min(m.end + 3, len(doc))):
            w = toks[j].lower_
            if w in cues["dataset_cues"] and not (w == "test" and j + 1 < len(doc) and toks[j + 1].lower_ == "time"):
                return "Dataset", "cue-context", True
            if w in cues["method_cues"]:
                return "Method", "cue-context", False
            if w in cues["model_cues"] and w not in ("llm", "llms", "series", "variant", "variants"):
                return "Model", "cue-context", False
            if not (toks[j].is_alpha and toks[j].is_lower) or j > m.end:
                break
        # apposition: "X, a [...] benchmark", "X, an end-to-end framework"
        if m.end + 1 < len(doc) and toks[m.end].text == "," and toks[m.end + 1].lower_ in ("a", "an", "the"):
            for j in range(m.end + 2, min(m.end + 10, len(doc))):
                w = toks[j].lower_
                if toks[j].is_punct or w in ("for", "of", "that", "which", "with", "to", "on", "in", "from", "by"):
                    break
                if w in cues["dataset_cues"]:
                    return "Dataset", "cue-context", True
                if w in cues["model_cues"] and w not in ("llm", "llms"):
                    return "Model", "cue-context", False
                if w in cues["method_cues"]:
                    return "Method", "cue-context", False
        # "the X benchmark" handled above; "benchmark X", "dataset, X"
        for j in range(max(0, m.start - 2), m.start):
            if toks[j].lower_ in ("benchmark", "benchmarks", "dataset", "datasets", "corpus"):
                return "Dataset", "cue-context", True
        if m.type:
            return m.type, "cue-context", m.benchmark
        if _MODEL_SHAPE.search(m.name) and name_shaped(m.name):
            return "Model", "shape-type", False  # a size or chat/instruct suffix: "FooLM-7B", "Bar-Instruct"
        if _DATASET_SHAPE.search(m.name) and name_shaped(m.name):
            return "Dataset", "shape-type", True
        if m.start >= 1 and toks[m.start - 1].lower_ == "on" and m.start >= 2 and \
                toks[m.start - 2].lower_ not in ("based", "built", "relies", "rely", "focus", "depend", "depends"):
            words = _sent_of(doc, m.start).words
            if not (words.isdisjoint(_EVAL_VERBS) and words.isdisjoint(self.metric_words)) \
                    and not _METHOD_SHAPE.search(m.name):
                return "Dataset", "preposition", True
        return "Method", "default", False

    # ------------------------------------------------------------------------------ proposals

    def _title_end(self, doc):
        for t in light_tokens(doc):
            if t.is_space and "\n\n" in t.text:
                return t.i
        return len(doc)

    def _proposal_tokens(self, doc, mentions, title_end):
        """Token indices of mentions the paper proposes, with the rule that found each."""
        toks = light_tokens(doc)
        out = {}
        colon = next((t.i for t in toks[:title_end] if t.text == ":"), None)
        if colon is not None:
            in_prefix = [m for m in mentions if m.end <= colon]
            if colon <= 3:
                for m in in_prefix:
                    whole = m.start == 0 and m.end == colon
                    if whole or m.rule not in ("gazetteer", "model-structure"):
                        out[m.start] = ("title-colon", 0.95)
            else:
                for m in in_prefix:
                    if m.rule not in ("gazetteer", "model-structure"):
                        out[m.start] = ("title-colon", 0.9)
        for m in mentions:
            if m.rule == "title-case":  # named parts of the paper's own method (found in component sentences)
                out.setdefault(m.start, ("component", 0.6))
        naming = self.cues["naming_words"]
        verbs = self.cues["propose_verbs"]
        breaks = self.cues["clause_breaks"]
        by_start = {m.start: m for m in mentions}
        definitions = [m for m in mentions if m.rule == "acronym-definition"]
        triggers = naming | verbs | {"our"}
        for sent in _sents(doc)[1:]:
            has_subject = not sent.words.isdisjoint(_SUBJECTS)
            for t in toks[sent.start:sent.end]:
                w = t.lower_
                if w not in triggers:
                    continue
                if w in naming:
                    # the next mention within 4 tokens
                    for j in range(t.i + 1, min(t.i + 5, sent.end)):
                        if j in by_start:
                            out.setdefault(j, ("naming", 0.9))
                            break
                        if toks[j].is_punct and toks[j].text != "-":
                            break
                elif w == "our":
                    # "our X", "our proposed method, X"
                    j = t.i + 1
                    while j < sent.end and (toks[j].lower_ in _OUR_HEADS or toks[j].text == ","):
                        j += 1
                    if j in by_start and by_start[j].rule not in ("gazetteer", "model-structure"):
                        out.setdefault(j, ("our-name", 0.85))
                if w in verbs and has_subject and t.i > sent.start:
                    for m in definitions:
                        if t.i < m.start < sent.end and m.start not in out:
                            out[m.start] = ("we-propose-definition", 0.8)
                    # mentions after the verb until the clause breaks; coordination keeps going
                    found = False
                    j = t.i + 1
                    while j < sent.end:
                        tok = toks[j]
                        if j in by_start:
                            m = by_start[j]
                            if m.rule not in ("gazetteer", "model-structure") or m.start == t.i + 1:
                                if not (m.rule in ("gazetteer", "model-structure") and w in ("train", "trained")):
                                    out.setdefault(j, ("we-propose", 0.9))
                            found = True
                            j = m.end
                            continue
                        if tok.lower_ in breaks or (tok.text in (".", ";", ":")):
                            break
                        if found and tok.lower_ not in ("and", ",", "(", ")", "the", "a", "two", "three"):
                            # after a name, only coordination and apposition continue the list
                            if tok.text == "," or tok.lower_ in ("a", "an"):
                                j += 1
                                continue
                            break
                        j += 1
        return out

    def _proposal_names(self, doc, mentions):
        """A capitalised name right after "we propose/introduce": "we introduce LUT Tensor Core, a ..."."""
        toks = light_tokens(doc)
        from .pipeline import Mention

        covered = {i for m in mentions for i in range(m.start, m.end)}
        verbs = self.cues["propose_verbs"]
        added = []
        for sent in _sents(doc)[1:]:
            if sent.words.isdisjoint(_SUBJECTS):
                continue
            for t in toks[sent.start:sent.end]:
                if t.lower_ not in verbs or t.i == sent.start:
                    continue
                j = t.i + 1
                while j < sent.end and (toks[j].lower_ in _SKIP_BEFORE_NAME or toks[j].text in ("*", '"', "“", "'")):
                    j += 1
                k = j
                while k < sent.end and k - j < 6 and toks[k].text[:1].isupper() and _NAMEWORD.match(toks[k].text) \
                        and k not in covered:
                    k += 1
                if k == j or j in covered or all(toks[x].text in self.res.generic for x in range(j, k)):
                    continue
                nxt = toks[k].text if k < sent.end else "."
                if k - j == 1 and nxt not in (",", "(", ":", "*", '"', "”", ";", "."):
                    continue
                if nxt not in (",", "(", ":", "*", '"', "”", ";", ".", "which", "that", "to", "for", "-"):
                    continue
                text = span_text(toks, j, k)
                added.append(Mention(j, k, "", text, entity_key(text), text, "proposal-name", 0.75))
                covered.update(range(j, k))
        if not added:
            return mentions
        return sorted(mentions + added, key=lambda m: m.start)

    # ------------------------------------------------------------------------------ main

    def __call__(self, doc: Doc) -> Doc:
        toks = light_tokens(doc)
        mentions = doc._.kg_mentions or []
        title_end = self._title_end(doc)
        # the title's name before a colon, when no mention covers it: "Lyra: Orchestrating ..."
        colon = next((t.i for t in toks[:title_end] if t.text == ":"), None)
        if colon is not None and 1 <= colon <= 3 and not any(m.start < colon for m in mentions):
            words = toks[0:colon]
            if all(w.text[:1].isupper() or w.text[:1].isdigit() for w in words) and not all(
                    w.text in self.res.generic or w.text.rstrip("s") in self.res.generic for w in words) and \
                    words[-1].text not in ("Models", "LLMs", "Networks", "Agents", "Systems"):
                from .pipeline import Mention
                text = span_text(toks, 0, colon)
                mentions = sorted(mentions + [Mention(0, colon, "", text, entity_key(text), text, "title-name",
                                                      0.8)], key=lambda m: m.start)
        mentions = self._proposal_names(doc, mentions)
        # aliases from definitions: the long form alone refers to the defined entity
        alias_to_key = {}
        for m in mentions:
            if m.rule == "acronym-definition":
                for a in m.aliases:
                    alias_to_key[entity_key(a)] = m.key
        proposals = self._proposal_tokens(doc, mentions, title_end)

        # group mentions into entities by key
        groups = defaultdict(list)
        for m in mentions:
            key = alias_to_key.get(m.key, m.key)
            groups[key].append(m)
        ext = PaperExtraction()
        entities = {}
        for key, ms in groups.items():
            typed = []
            for m in ms:
                t, why, bench = self._type_of(doc, m)
                typed.append((_PRIORITY.get(why, 1), t, why, bench, m))
            typed.sort(key=lambda x: (-x[0], x[4].start))
            _, etype, why, bench, best = typed[0]
            if etype == "Dataset":
                names = [strip_split(m.name) for m in ms]
            else:
                names = [m.name for m in ms]
            name = best.name if etype != "Dataset" else strip_split(best.name)
            if why == "gazetteer" and best.rule != "gazetteer":
                for form in (best.name, *best.aliases):
                    e = self.by_key.get(entity_key(form))
                    if e is not None:
                        name = e.name
                        break
            ekey = entity_key(name)
            aliases = set()
            for m in ms:
                aliases.add(m.text)
                aliases.update(m.aliases)
                aliases.add(m.name)
            aliases.update(names)
            aliases.discard(name)
            aliases = tuple(sorted(a for a in aliases if a and "(" not in a))
            ent = Entity(type=etype, key=ekey, name=name, aliases=aliases,
                         benchmark=bench and etype == "Dataset", family=best.family, parameters=best.params)
            # relation
            prop = [(proposals[m.start], m) for m in ms if m.start in proposals and etype != "Hardware"]
            if prop:
                (rule, conf), m = max(prop, key=lambda x: (x[0][1], -x[1].start))
                kind = "proposes"
            else:
                m = next((m for m in ms if m.start > title_end), ms[0])
                rule, conf = (why if why != "default" else best.rule), self._confidence(why, best)
                kind = self._dataset_kind(doc, ms) if etype == "Dataset" else _USE_KIND[etype]
            evidence = _sentence_text(doc, m.start)
            entities[key] = ent
            ext.links.append(Link(kind=kind, entity=ent, evidence=evidence, confidence=conf, rule=rule))
        # tasks
        seen_tasks = set()
        for _, s, e in self.tasks(doc):
            phrase = span_text(toks, s, e).lower()
            if phrase in seen_tasks:
                continue
            seen_tasks.add(phrase)
            ent = Entity(type="Task", key=entity_key(phrase), name=phrase)
            conf = 0.8 if s < title_end else 0.6
            ext.links.append(Link("addressesTask", ent, _sentence_text(doc, s), conf, "task-phrase"))
        ext.results = self._results(doc, mentions, alias_to_key, entities, proposals)
        ext.links.sort(key=lambda l: (l.kind, l.entity.type, l.entity.key))
        doc._.kg_extraction = ext
        doc.user_data.pop("kg_sents", None)
        doc.user_data.pop("kg_toks", None)
        return doc

    def _confidence(self, why, m):
        return _CONFIDENCE.get(why, 0.6 if m.rule != "cue-noun" else 0.7)

    def _dataset_kind(self, doc, ms):
        toks = light_tokens(doc)
        train = self.cues["train_cues"]
        evalc = self.cues["eval_cues"]
        trained = False
        for m in ms:
            sent_start = _sent_of(doc, m.start).start
            window = [t.lower_ for t in toks[max(sent_start, m.start - 12): m.start]]
            after = [t.lower_ for t in toks[m.end: m.end + 3]]
            if any(w in evalc for w in window):
                return "evaluatedOn"
            if any(w in train for w in window) or "as" in after[:1] and "seed" in after:
                trained = True
        return "usesDataset" if trained else "evaluatedOn"

    # ------------------------------------------------------------------------------ results

    def _numbers(self, doc, sent, covered):
        """(token index, value, unit, arrow) of the reportable numbers in a sentence.

        `arrow` is "improvement" when the number carries a LaTeX or Unicode up/down arrow.
        """
        toks = light_tokens(doc)
        out = []
        for t in toks[sent.start:sent.end]:
            text = t.text
            if not _DIGIT.match(text) or t.i in covered:
                continue  # every number pattern below starts with a digit
            nxt = toks[t.i + 1] if t.i + 1 < len(doc) else None
            prev = toks[t.i - 1] if t.i > 0 else None
            arrow_before = prev is not None and (prev.text in ("->", "→", "=>") or (
                prev.text == ">" and t.i >= 2 and toks[t.i - 2].text in ("-", "=")))
            if prev is not None and not arrow_before and (
                    prev.text in ("@", "pass@") or prev.text.endswith("@") or prev.lower_ in _APPROX
                    or prev.text in ("$", "\\$", "#")):
                continue
            if prev is not None and t.i >= 2 and f"{toks[t.i - 2].lower_} {prev.lower_}" in _APPROX2:
                continue
            arrow = None
            m = _ARROW.match(text)
            if m:
                text, arrow = m.group(1), "improvement"
            m = _NUMBER_PCT.match(text)
            if m:
                out.append((t.i, m.group(1), "%", arrow))
                continue
            m = _RATIO.match(text)
            if m and int(m.group(1)) <= int(m.group(2)):
                out.append((t.i, m.group(1), f"/{m.group(2)}", arrow))
                continue
            m = _TIMES.match(text)
            if m:
                out.append((t.i, m.group(1), "x", arrow))
                continue
            if not _NUMBER.match(text):
                continue
            value = text.replace(",", "")
            nxt_text = nxt.text if nxt is not None else ""
            if nxt_text in ("%", "\\%"):
                if t.i + 4 < len(toks) and toks[t.i + 2].lower_ == "of" and toks[t.i + 4].lower_ in _RESOURCES:
                    continue  # "keeps 20% of the cache": a share of a resource, not a score
                out.append((t.i, value, "%", arrow))
            elif nxt is not None and nxt.lower_ in ("points", "point", "pp", "pts"):
                out.append((t.i, value, "points", arrow))
            elif nxt_text in ("x", "×"):
                out.append((t.i, value, "x", arrow))
            elif nxt is not None and nxt.lower_ == "out" and t.i + 3 < len(doc) and toks[t.i + 2].lower_ == "of" \
                    and toks[t.i + 3].text.isdigit() and int(value.split(".")[0]) <= int(toks[t.i + 3].text):
                out.append((t.i, value, f"/{toks[t.i + 3].text}", arrow))  # "5 out of 148 problems"
            elif "." in value and (nxt is None or nxt.lower_ not in _NOT_RESULT_NEXT):
                if prev is not None and prev.text in ("v", "version"):
                    continue
                out.append((t.i, value, None, arrow))
            elif arrow:
                out.append((t.i, value, None, arrow))
        return out

    def _results(self, doc, mentions, alias_to_key, entities, proposals):
        toks = light_tokens(doc)
        covered = set()
        for m in mentions:
            covered.update(range(m.start, m.end))
        ments_by_sent = defaultdict(list)
        for m in mentions:
            key = alias_to_key.get(m.key, m.key)
            ent = entities.get(key)
            if ent is not None:
                ments_by_sent[_sent_of(doc, m.start).start].append((m, ent))
        proposed_keys = {alias_to_key.get(m.key, m.key) for m in mentions if m.start in proposals}
        proposed = [ent for key, ent in entities.items() if key in proposed_keys]
        own = next((e for e in proposed if e.type in ("Method", "Model")), None)
        improve = self.cues["improvement_cues"]
        metrics = self.cues["metrics"]
        results = []
        own_datasets = [e for e in proposed if e.type == "Dataset"]
        for sent in _sents(doc):
            if sent.start == 0:
                continue
            ments = ments_by_sent.get(sent.start, [])
            datasets = [(m.start, m.end, e) for m, e in ments if e.type == "Dataset"]
            if not datasets and len(own_datasets) == 1 and _refers_to_own_dataset(toks[sent.start:sent.end]):
                # "the best performer on our benchmark achieves 38.05%": the paper's own benchmark
                datasets = [(sent.start, sent.start, own_datasets[0])]
            if not datasets:
                continue
            nums = self._numbers(doc, sent, covered)
            if not nums:
                continue
            metric_words = self._metric_words(toks, sent, metrics)
            # clauses split at ';'
            clause_of = {}
            c = 0
            for t in toks[sent.start:sent.end]:
                if t.text == ";":
                    c += 1
                clause_of[t.i] = c
            respectively = "respectively" in sent.words
            items = sorted([(n[0], "N", n) for n in nums] + [(d[0], "D", d) for d in datasets], key=lambda x: x[0])
            pairing = {}
            # runs of numbers followed (or preceded, with "respectively") by an equal run of datasets
            runs = []
            for pos, kind, obj in items:
                if runs and runs[-1][0] == kind:
                    runs[-1][1].append((pos, obj))
                else:
                    runs.append((kind, [(pos, obj)]))
            for k in range(len(runs) - 1):
                a, b = runs[k], runs[k + 1]
                if a[0] == "N" and b[0] == "D" and len(b[1]) >= 2 and len(a[1]) % len(b[1]) == 0:
                    for idx, (pos, n) in enumerate(a[1]):
                        pairing[pos] = b[1][idx % len(b[1])][1]
                elif a[0] == "D" and b[0] == "N" and respectively and len(a[1]) >= 2 and len(b[1]) % len(a[1]) == 0:
                    for idx, (pos, n) in enumerate(b[1]):
                        pairing[pos] = a[1][idx % len(a[1])][1]
            # a later run of numbers after a paired group reuses its order ("... surpassing by 4.6% and 4.8%")
            for k in range(len(runs)):
                if runs[k][0] == "N" and runs[k][1][0][0] not in pairing and k == len(runs) - 1:
                    for kk in range(k - 1, -1, -1):
                        group = runs[kk]
                        if group[0] == "D" and len(group[1]) >= 2 and any(
                                p[0] in pairing for r in runs[:kk] if r[0] == "N" for p in r[1]):
                            if len(runs[k][1]) == len(group[1]):
                                for idx, (pos, n) in enumerate(runs[k][1]):
                                    pairing[pos] = group[1][idx][1]
                            break
            prev_num, prev_kind = None, None
            for pos, value, unit, arrow in nums:
                if pos in pairing:
                    de = pairing[pos][2]
                else:
                    same = [d for d in datasets if clause_of.get(d[0], 0) == clause_of[pos]]
                    cands = same or datasets
                    after = [d for d in cands if d[0] > pos and d[0] - pos <= 8]
                    before = [d for d in cands if d[0] < pos]
                    close_before = before and all(
                        t.lower_ in _BETWEEN_BEFORE or _NUMBER.match(t.text) or t.lower_ in metrics or
                        t.text in self.res.generic for t in toks[before[-1][1]:pos])
                    clean_after = after and not any(n[0] > pos and n[0] < after[0][0] for n in nums) and not any(
                        t.lower_ in _VERBISH for t in toks[pos + 1:after[0][0]]) and not _new_clause(
                        toks, pos + 1, after[0][0])
                    if clean_after and not close_before:
                        de = after[0][2]
                    elif before:
                        de = before[-1][2]
                    elif len({d[2].key for d in cands}) == 1:
                        de = cands[0][2]
                    else:
                        continue  # no dataset this number can clearly belong to
                    if unit == "x" and not (clean_after and de is after[0][2]):
                        continue  # speedups count only when stated on a dataset ("2x on X")
                window = [t.lower_ for t in toks[max(sent.start, pos - 5): pos]]
                after_w = [t.lower_ for t in toks[pos + 1: min(sent.end, pos + 4)]]
                kind = "absolute"
                if arrow or any(w in improve for w in window[-3:]) or any(
                        w in ("improvement", "gain", "gains", "higher", "better", "increase") for w in after_w):
                    kind = "improvement"
                if "from" in window[-2:] or ("to" in window[-1:]):
                    kind = "absolute"
                elif prev_num is not None and prev_kind == "improvement" and all(
                        t.lower_ in (",", "and", "%", "\\%", "or") for t in toks[prev_num + 1:pos]):
                    kind = "improvement"  # "improvements of 14.1%, 7.1%, and 9.4%": the cue covers the list
                prev_num, prev_kind = pos, kind
                system = self._system(doc, sent, pos, ments, own, kind)
                metric = _nearest(metric_words, pos)
                conf = 0.8 if len(datasets) == 1 or pos in pairing else 0.6
                if datasets[0][0] == datasets[0][1]:  # dataset by reference, not by name
                    conf = 0.5
                results.append(Result(dataset=de, value=value, unit=unit, kind=kind,
                                      evidence=sent.text.strip(), confidence=conf, system=system, metric=metric))
        return results

    def _system(self, doc, sent, pos, ments, own, kind="absolute"):
        toks = light_tokens(doc)
        # "compared with 21.7 for LCM-LoRA": the system named right after the number
        k = pos + 1
        while k < sent.end and k <= pos + 2 and toks[k].lower_ in ("%", "\\%", "points", "pp"):
            k += 1
        if k < sent.end and toks[k].lower_ == "for":
            named = [e for m, e in ments if e.type in ("Method", "Model") and m.start == k + 1]
            if named:
                return named[0]
        systems = [(m, e) for m, e in ments if e.type in ("Method", "Model") and m.start < pos]
        if kind == "improvement":
            # "X improves over GIN by 3.4 points": the system compared against is not whose number it is
            ours = [(m, e) for m, e in systems if m.start == 0 or toks[m.start - 1].lower_ not in _BASELINE_WORDS]
            if ours and len(ours) < len(systems):
                return ours[-1][1]
        if systems:
            return systems[-1][1]
        if own is not None and not sent.words.isdisjoint(("we", "our", "ours")):
            return own
        return None

    def _metric_words(self, toks, sent, metrics):
        """(token index, metric) for each metric named in the sentence: "accuracy", "exact match", "pass@1",
        "mean absolute error" (names of up to four words)."""
        out = []
        skip_to = sent.start
        for t in toks[sent.start:sent.end]:
            if t.i < skip_to:
                continue
            w = t.lower_
            if w in metrics:
                out.append((t.i, w))
                continue
            if w.startswith("pass@"):
                out.append((t.i, w))
                continue
            for n in (4, 3, 2):
                if t.i + n <= sent.end:
                    phrase = " ".join(x.lower_ for x in toks[t.i:t.i + n])
                    if phrase in metrics:
                        out.append((t.i, phrase))
                        if n > 2:  # "root mean squared error" is not also "mean squared error"
                            skip_to = t.i + n
                        break
        return out


_BASELINE_WORDS = frozenset({"over", "than", "vs", "vs.", "versus", "against"})


def _new_clause(toks, start, end) -> bool:
    """Whether a comma and a conjunction between tokens `start` and `end` begin a new clause there
    ("..., improving over GIN by 3.4 points, and on ZINC it ...")."""
    for a, b in zip(toks[start:end], toks[start + 1:end]):
        if a.text == "," and b.lower_ in ("and", "while", "whereas", "but"):
            return True
    return False


_EVERYDAY_METRIC_WORDS = frozenset({"mean", "root", "squared", "absolute", "average", "normalized", "per", "bits",
                                    "byte", "word", "character", "box", "mask", "hit", "inception"})


def _nearest(found, pos):
    """The item of (token index, item) pairs nearest to token `pos` (the first of equals), or None."""
    best = None
    for i, item in found:
        if best is None or abs(i - pos) < best[0]:
            best = (abs(i - pos), item)
    return best[1] if best else None


def _refers_to_own_dataset(sent_toks) -> bool:
    words = [t.lower_ for t in sent_toks]
    for a, b in zip(words, words[1:]):
        if a in ("our", "this", "the", "proposed") and b in ("benchmark", "dataset", "suite", "test"):
            return True
    return False


class Sent:
    """A sentence: token offsets and text, as in the `doc.sents` Span, made from the light tokens."""

    __slots__ = ("start", "end", "_toks", "_text", "_words")

    def __init__(self, toks, start: int, end: int):
        self.start = start
        self.end = end
        self._toks = toks
        self._text = None
        self._words = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = span_text(self._toks, self.start, self.end)
        return self._text

    @property
    def words(self) -> frozenset[str]:
        """The lower-cased token texts of the sentence."""
        if self._words is None:
            self._words = frozenset([t.lower_ for t in self._toks[self.start:self.end]])
        return self._words


def _sents(doc):
    """The doc's sentences (the boundaries of `doc.sents`), computed once per doc."""
    return _sentence_table(doc)[0]


def _sentence_table(doc):
    """(sentences, sentence number of each token), cached on the doc while the pipeline runs."""
    cached = doc.user_data.get("kg_sents")
    if cached is None:
        toks = light_tokens(doc)
        starts = [0] + [t.i for t in toks[1:] if t.is_sent_start] if toks else []
        spans = [Sent(toks, a, b) for a, b in zip(starts, starts[1:] + [len(toks)])]
        index = []  # token -> sentence number
        for n, sp in enumerate(spans):
            index += [n] * (sp.end - sp.start)
        cached = doc.user_data["kg_sents"] = (spans, index)
    return cached


def _sent_of(doc, i):
    spans, index = _sentence_table(doc)
    return spans[index[i]]


def _sentence_text(doc, i):
    return _sent_of(doc, i).text.strip()


@Language.factory("kg_relations", default_config={})
def make_relations(nlp, name):
    return Relater(nlp, load_resources())
