"""Read papers from files into `Paper` records (no spaCy, no rdflib here).

Three input formats are recognised from the content, whatever the file is called:

* a Daily Papers listing page as text: a few header lines, then for each paper a title line, a blank line
  and an abstract paragraph;
* JSON: a list of objects with at least ``title`` and ``abstract``;
* JSON Lines: one such object per line.

Field names of the arXiv metadata snapshot (``id``, ``title``, ``abstract``, ``authors``, ``categories``,
``update_date``, ``doi``) map to the paper's identifier, authors, categories and date. Whitespace and line
breaks inside fields fold to single spaces. A paper seen twice (same arXiv id, or same normalised title)
is kept once.

Examples
--------
>>> from kg.ingest import parse_records
>>> [p.title for p in parse_records([{"title": "A  Title", "abstract": "Text."}], "x.json")]
['A Title']
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator

from .errors import InputError

__all__ = [
    "Paper",
    "IngestReport",
    "SAMPLE_CORPUS",
    "read_papers",
    "iter_papers",
    "parse_daily_papers",
    "parse_records",
    "normalise_title",
    "input_files",
]

SAMPLE_CORPUS = Path(__file__).parent / "data" / "daily_papers_2025-09-12.txt"

# Extensions picked up when a directory is given; a file named explicitly is read whatever its name.
DIRECTORY_SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson")

# Longer fields are not titles or abstracts (arXiv caps abstracts at 1,920 characters); they are skipped
# like records without an abstract, which also keeps extraction time bounded.
MAX_TITLE_CHARS = 2_000
MAX_ABSTRACT_CHARS = 20_000

# Control characters (other than whitespace, which folds) and lone surrogates cannot be written to every RDF
# serialisation or read back by every tool; they become a space and U+FFFD.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")


@dataclass(frozen=True)
class Paper:
    """One paper as read from the input: title and abstract, plus what metadata the input had."""

    title: str
    abstract: str
    id: str | None = None  # arXiv id or other identifier from the input
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    date: str | None = None  # ISO date, YYYY-MM-DD
    doi: str | None = None
    url: str | None = None
    source: str = ""  # the file the paper was read from (its name, for provenance)

    @property
    def arxiv_id(self) -> str | None:
        """The arXiv identifier without version, when the id is one."""
        if self.id and _ARXIV_ID.match(self.id):
            return re.sub(r"v\d+$", "", self.id)
        return None

    @property
    def key(self) -> str:
        """The identity used to merge duplicates: arXiv id if known, else the normalised title."""
        return f"arxiv:{self.arxiv_id}" if self.arxiv_id else f"title:{normalise_title(self.title)}"


@dataclass
class IngestReport:
    """What a read produced: the papers, and what was skipped or merged on the way."""

    papers: list[Paper] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0
    duplicates: int = 0
    files: list[Path] = field(default_factory=list)


def fold(text: str) -> str:
    """Fold runs of whitespace (line breaks included) into single spaces and strip the ends.

    Control characters count as whitespace; a lone surrogate (from a JSON escape) becomes U+FFFD.

    >>> fold("  a\\n  b\\tc\\x00d ")
    'a b c d'
    """
    text = _SURROGATE.sub("\ufffd", _UNPRINTABLE.sub(" ", str(text)))
    return " ".join(text.split())


def normalise_title(title: str) -> str:
    """A title reduced to lower-case letters and digits, for duplicate detection.

    >>> normalise_title("Lyra: Orchestrating  Dual-Correction!") == normalise_title("lyra orchestrating dual correction")
    True
    """
    t = unicodedata.normalize("NFKC", title).casefold()
    return re.sub(r"[^0-9a-z]+", " ", t).strip()


# ---------------------------------------------------------------------------------------------- formats

def _looks_like_abstract(line: str) -> bool:
    return len(line) >= 200 or len(re.findall(r"[.!?](\s|$)", line)) >= 2


def parse_daily_papers(text: str, source: str = "") -> Iterator[Paper]:
    """Parse a Daily Papers page: header lines, then title / blank line / abstract paragraphs.

    A title is a short line directly followed (after blank lines) by a long abstract paragraph. Lines
    before the first such pair are page header and are skipped.

    >>> page = "Daily Papers\\n\\nSep 12\\n\\nA Title\\n\\n" + "We study things. " * 20
    >>> [p.title for p in parse_daily_papers(page)]
    ['A Title']
    """
    blocks: list[tuple[int, str]] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = fold(raw)
        if line:
            blocks.append((lineno, line))
    i = 0
    while i < len(blocks) - 1:
        (_, title), (_, abstract) = blocks[i], blocks[i + 1]
        if len(title) <= 400 and not _looks_like_abstract(title) and _looks_like_abstract(abstract):
            yield Paper(title=title, abstract=abstract, source=source)
            i += 2
        else:
            i += 1


def _first(record: dict, *names):
    for n in names:
        v = record.get(n)
        if v not in (None, "", [], ()):
            return v
    return None


def _scalar(value) -> str | None:
    """A JSON string or number as folded text; objects, lists, booleans and null give None."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return fold(str(value)) or None


def _authors(value) -> tuple[str, ...]:
    if isinstance(value, str):
        parts = re.split(r",\s*|\s+and\s+", fold(value))
        return tuple(p for p in (fold(x) for x in parts) if p)
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return ()
    out = []
    for a in value:
        if isinstance(a, dict):
            a = _scalar(a.get("name")) or " ".join(filter(None, (_scalar(a.get("given")), _scalar(a.get("family")))))
        elif isinstance(a, list):  # arXiv authors_parsed: [last, first, suffix]
            a = " ".join(filter(None, map(_scalar, a[1:2] + a[:1])))
        else:
            a = _scalar(a)
        if a:
            out.append(a)
    return tuple(out)


def _categories(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list):
        return ()
    return tuple(c for c in map(_scalar, value) if c)


def _date(value) -> str | None:
    """The ISO date at the start of `value`, if it is a real calendar date."""
    m = re.match(r"([0-9]{4}-[0-9]{2}-[0-9]{2})", _scalar(value) or "")
    if not m:
        return None
    try:
        datetime.date.fromisoformat(m.group(1))
    except ValueError:
        return None
    return m.group(1)


def _too_long(paper: Paper) -> str | None:
    """Why `paper` is not a paper because a field is implausibly long, or None."""
    for name, text, most in (("title", paper.title, MAX_TITLE_CHARS), ("abstract", paper.abstract, MAX_ABSTRACT_CHARS)):
        if len(text) > most:
            return f"{name} is {len(text)} characters long (more than {most})"
    return None


def record_to_paper(record, source: str, where: str) -> Paper | str:
    """Map one JSON object to a Paper, or return a reason string when it cannot be one."""
    if not isinstance(record, dict):
        return f"{where}: record is a JSON {type(record).__name__}, not an object"
    title = _first(record, "title", "name")
    abstract = _first(record, "abstract", "summary")
    if not isinstance(title, str) or not fold(title):
        return f"{where}: record has no title"
    if not isinstance(abstract, str) or not fold(abstract):
        return f"{where}: record has no abstract"
    url = _first(record, "url", "link")
    paper = Paper(
        title=fold(title),
        abstract=fold(abstract),
        id=_scalar(_first(record, "id", "arxiv_id", "paper_id", "identifier")),
        authors=_authors(_first(record, "authors_parsed", "authors", "author")),
        categories=_categories(_first(record, "categories", "category")),
        date=_date(_first(record, "update_date", "date", "published", "published_date")),
        doi=_scalar(_first(record, "doi")),
        url=_scalar(url) if isinstance(url, str) else None,
        source=source,
    )
    if reason := _too_long(paper):
        return f"{where}: {reason}"
    if paper.url is None and paper.arxiv_id:
        paper = replace(paper, url=f"https://arxiv.org/abs/{paper.arxiv_id}")
    return paper


def parse_records(records: Iterable, source: str = "", warn=None) -> Iterator[Paper]:
    """Turn an iterable of JSON objects into Papers; records lacking a title or abstract go to `warn`."""
    for n, record in enumerate(records, 1):
        got = record_to_paper(record, source, f"{source or 'input'}: record {n}")
        if isinstance(got, Paper):
            yield got
        elif warn is not None:
            warn(got)


# ---------------------------------------------------------------------------------------------- files

def _read_text(path: Path) -> str:
    with _open(path) as fh:
        try:
            data = fh.read()
        except OSError as e:
            raise InputError(path, f"cannot read: {e.strerror or e}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(path, f"not UTF-8 text (byte 0x{data[e.start]:02x})", line) from None
    if not text.strip():
        raise InputError(path, "file is empty")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(path, "contains a NUL byte; not a text file", line)
    return text


def _open(path: Path):
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory") from None
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None


def _is_json_lines(path: Path) -> bool:
    """Does the file start like JSON Lines (an object)? Only its first 64 KiB are read."""
    with _open(path) as fh:
        head = fh.read(1 << 16)
    return head.decode("utf-8-sig", errors="replace").lstrip().startswith("{")


def _json_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line of a JSON Lines file, read one line at a time, so a file of millions
    of records (the arXiv snapshot is several GB) is never held whole; lines get `_read_text`'s checks."""
    with _open(path) as fh:
        # Split on newlines only: U+2028 and friends may sit inside a JSON string.
        for lineno, raw in enumerate(fh, 1):
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise InputError(path, f"not UTF-8 text (byte 0x{raw[e.start]:02x})", lineno) from None
            if "\x00" in line:
                raise InputError(path, "contains a NUL byte; not a text file", lineno)
            yield lineno, line[:-1] if line.endswith("\n") else line


def input_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand inputs into a sorted list of files; a directory contributes its paper files recursively."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found = sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in DIRECTORY_SUFFIXES and not f.name.startswith(".")
            )
            if not found:
                raise InputError(p, f"directory holds no paper files ({', '.join(DIRECTORY_SUFFIXES)})")
            out.extend(found)
        elif not p.exists():
            raise InputError(p, "no such file")
        else:
            out.append(p)
    return out


def _papers_in_file(path: Path, strict: bool, warn) -> Iterator[Paper]:
    source = path.name
    if _is_json_lines(path):
        text, head, lines = "", "{", _json_lines(path)
    else:
        text = _read_text(path)
        head, lines = text.lstrip(), ()

    def bad(reason: str, line=None):
        if strict:
            raise InputError(path, reason.split(": ", 1)[-1] if line else reason, line)
        warn(reason)

    if head.startswith("["):
        try:
            records = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(path, f"malformed JSON: {e.msg}", e.lineno) from None
        except RecursionError:
            raise InputError(path, "malformed JSON: nested too deeply") from None
        except ValueError as e:  # e.g. an integer longer than Python converts
            raise InputError(path, f"malformed JSON: {str(e).splitlines()[0]}") from None
        if not isinstance(records, list):
            raise InputError(path, "JSON input must be a list of paper objects")
        for n, record in enumerate(records, 1):
            got = record_to_paper(record, source, f"{path}: record {n}")
            if isinstance(got, Paper):
                yield got
            elif strict:
                raise InputError(path, f"record {n}: {got.split(': ')[-1]}")
            else:
                warn(got)
    elif head.startswith("{"):
        for lineno, line in lines:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(path, f"malformed JSON line: {e.msg}", lineno) from None
            except RecursionError:
                raise InputError(path, "malformed JSON line: nested too deeply", lineno) from None
            except ValueError as e:
                raise InputError(path, f"malformed JSON line: {str(e).splitlines()[0]}", lineno) from None
            got = record_to_paper(record, source, f"{path}:{lineno}")
            if isinstance(got, Paper):
                yield got
            elif strict:
                raise InputError(path, got.split(": ", 1)[-1], lineno)
            else:
                warn(got)
    else:
        found = False
        for paper in parse_daily_papers(text, source):
            found = True
            if reason := _too_long(paper):
                if strict:
                    raise InputError(path, f"paper {paper.title[:60]!r}: {reason}")
                warn(f"{path}: paper {paper.title[:60]!r}: {reason}")
                continue
            yield paper
        if not found:
            raise InputError(path, "no papers found (expected a Daily Papers page, JSON or JSON Lines)")


def iter_papers(paths: Iterable[str | Path] | None = None, strict: bool = False,
                report: IngestReport | None = None) -> Iterator[Paper]:
    """Yield the unique papers of the given files or directories, in input order, streaming.

    With no paths the bundled sample corpus is read. Duplicates (same arXiv id or normalised title) are
    dropped after the first, and counted in `report` when one is given.
    """
    report = report if report is not None else IngestReport()
    files = input_files(paths) if paths else [SAMPLE_CORPUS]
    report.files = files
    seen: set[str] = set()

    def warn(msg: str):
        report.warnings.append(msg)
        report.skipped += 1

    for path in files:
        for paper in _papers_in_file(path, strict, warn):
            keys = {paper.key, f"title:{normalise_title(paper.title)}"}
            if keys & seen:
                report.duplicates += 1
                continue
            seen |= keys
            yield paper


def read_papers(paths: Iterable[str | Path] | None = None, strict: bool = False) -> IngestReport:
    """Read all papers of the given inputs into an `IngestReport` (see `iter_papers`)."""
    report = IngestReport()
    report.papers = list(iter_papers(paths, strict, report))
    if not report.papers:
        where = ", ".join(str(f) for f in report.files) or "input"
        raise InputError(where, "no usable papers (every record lacked a title or abstract)")
    return report
