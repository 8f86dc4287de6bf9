"""List, load and run the canned SPARQL queries in ``kg/queries/*.rq`` on a graph, a store or an endpoint.

Each query is one standard SPARQL 1.1 file with a header comment naming its title, description and
parameters::

    # title: Leaderboard for a benchmark
    # description: Results on one benchmark, best first, with value, unit, kind, system and paper.
    # param: benchmark = MiniF2F  -- benchmark or dataset, by name or alias (any case)

A parameter ``NAME`` is the variable ``?NAMEParam`` in the query. Values are bound, never pasted into the
text: an rdflib graph gets them as ``initBindings``; a pyoxigraph store and an HTTP endpoint get a
``VALUES`` clause of escaped RDF literals written at the query's ``# @parameters`` marker line. The
optional ``# lists: COLUMN, ...`` header names ``GROUP_CONCAT`` columns (separator ``"; "``) whose items
are sorted here, since SPARQL leaves their order to the engine.

Names are matched in any case by index lookups, not by lower-casing every label: a string parameter
``NAME`` is also bound as ``?NAMEKey``, its `match_key` (case-folded), which the graph holds as
``skos:hiddenLabel`` wherever it differs from an entity's label and altLabels. A query that can return
more rows than anyone reads names a default row limit in its header (``# limit: 100``) and marks where
the ``LIMIT`` goes with a ``# @limit`` line (inside a sub-select, so the engine looks up the details of the
kept rows only); ``limit=0`` (``kg query --limit 0``) returns every row, and a result says whether rows
were left out.

Three sources, one at a time: ``graph`` (an rdflib Graph, or an RDF file, loaded into an in-memory
pyoxigraph store for speed), ``store`` (a pyoxigraph store directory, opened read-only, or a
``pyoxigraph.Store``) and ``endpoint`` (a SPARQL 1.1 protocol URL). All engine access lives in this module.

Examples
--------
>>> q = parse_query('''# title: Labels
... # description: Entities with a given label.
... # param: name = GPU  -- the label
... SELECT ?e WHERE {
...   # @parameters
...   ?e <http://www.w3.org/2000/01/rdf-schema#label> ?nameParam .
... }''', "labels")
>>> q.form, [(p.name, p.default) for p in q.params]
('SELECT', [('name', 'GPU')])
>>> print(values_text(q, {"name": 'say "hi"'}))
SELECT ?e WHERE {
  VALUES (?nameParam) { ("say \\"hi\\"") }
  ?e <http://www.w3.org/2000/01/rdf-schema#label> ?nameParam .
}
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from .errors import GraphError, QueryError
from .vocab import PREFIXES, match_key

__all__ = ["QUERY_DIR", "Param", "CannedQuery", "QueryResult", "parse_query", "load_query", "list_queries",
           "run_query", "construct_graph", "values_text", "sparql_literal", "open_store", "answer_sparql",
           "format_result", "format_table", "format_csv", "format_json", "format_query_list", "parse_params",
           "FORMATS"]

QUERY_DIR = Path(__file__).parent / "queries"
MARKER = "# @parameters"
LIMIT_MARKER = "# @limit"
LIST_SEPARATOR = "; "
FORMATS = ("table", "csv", "json", "turtle", "nt")

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_PARAM = re.compile(r"^(?P<name>[a-z][a-z0-9_]*)\s*(?::\s*(?P<type>\w+))?\s*(?:=\s*(?P<default>.*?))?"
                    r"\s*(?:--\s*(?P<help>.*))?$")
_PARAM_VAR = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)Param\b")
_KEY_VAR = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)Key\b")
_FORM = re.compile(r"^\s*(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", re.I | re.M)
_TYPES = {"string": None, "decimal": XSD.decimal, "integer": XSD.integer}
_NUMERIC = {XSD.integer, XSD.int, XSD.long, XSD.short, XSD.nonNegativeInteger, XSD.positiveInteger,
            XSD.negativeInteger, XSD.nonPositiveInteger, XSD.unsignedInt, XSD.unsignedLong}
_FLOATS = {XSD.double, XSD.float}
_XSD_STRING = str(XSD.string)


@dataclass(frozen=True)
class Param:
    """One query parameter: bound to ``?{name}Param``; ``default`` None means the caller must give it."""

    name: str
    default: str | None
    help: str = ""
    type: str = "string"

    @property
    def variable(self) -> str:
        return f"{self.name}Param"

    @property
    def key_variable(self) -> str:
        """The variable bound to the value's `match_key`, for matching names by ``skos:hiddenLabel``."""
        return f"{self.name}Key"

    def literal(self, value: str) -> Literal:
        """The RDF literal for a value given as text; QueryError if it is not of the parameter's type."""
        value = _check_text(self.name, value)
        if self.type == "decimal":
            try:
                d = Decimal(value.strip())
            except InvalidOperation:
                raise QueryError(f"parameter {self.name}: not a decimal number: {value!r}") from None
            if not d.is_finite():
                raise QueryError(f"parameter {self.name}: not a finite decimal number: {value!r}")
            return Literal(_decimal_text(d), datatype=XSD.decimal)
        if self.type == "integer":
            if not re.fullmatch(r"\s*[+-]?\d+\s*", value):
                raise QueryError(f"parameter {self.name}: not an integer: {value!r}")
            return Literal(str(int(value)), datatype=XSD.integer)
        return Literal(value)


@dataclass(frozen=True)
class CannedQuery:
    """A parsed ``.rq`` file: its header fields and its SPARQL text."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    form: str
    lists: tuple[str, ...] = ()
    path: Path | None = None
    keys: tuple[str, ...] = ()
    limit: int | None = None

    def limited(self, limit: int | None) -> str:
        """The text with ``LIMIT limit`` at its ``# @limit`` line (none for None or 0)."""
        if self.limit is None:
            return self.text
        out = []
        for line in self.text.splitlines():
            if line.strip().startswith(LIMIT_MARKER):
                indent = line[: len(line) - len(line.lstrip())]
                line = f"{indent}LIMIT {int(limit)}" if limit else ""
            out.append(line)
        return "\n".join(out) + "\n"

    def prepared(self, limit: int | None = None):
        """The query parsed by rdflib (kept: parsing costs more than running it on a small graph)."""
        return _prepare(self.limited(limit))

    def variables(self, bound: dict[str, Literal]) -> dict[str, Literal]:
        """Bound parameters (name -> literal) as query variables: ``?NAMEParam``, and ``?NAMEKey`` if used."""
        out = {}
        for name, lit in bound.items():
            out[self.param(name).variable] = lit
            if name in self.keys:
                out[self.param(name).key_variable] = Literal(match_key(str(lit)))
        return out

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        names = [p.name for p in self.params]
        hint = difflib.get_close_matches(name, names, n=1)
        have = f"its parameters: {', '.join(names)}" if names else "it takes no parameters"
        raise QueryError(f"query {self.name!r} has no parameter {name!r}"
                         + (f" (did you mean {hint[0]!r}?)" if hint else "") + f"; {have}")

    def bind(self, params: dict | None) -> dict[str, Literal]:
        """Check ``params`` (name -> text) against the header and return every parameter's literal."""
        params = dict(params or {})
        for name in params:
            self.param(name)
        bound = {}
        for p in self.params:
            value = params.get(p.name, p.default)
            if value is None:
                raise QueryError(f"query {self.name!r} needs parameter {p.name!r} ({p.help or p.type}): "
                                 f"give it as -p {p.name}=VALUE")
            bound[p.name] = p.literal(str(value))
        return bound


@dataclass
class QueryResult:
    """What a canned query returned: rows of rdflib terms (None where unbound), or a graph for CONSTRUCT."""

    query: CannedQuery
    params: dict[str, str]
    columns: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    graph: Graph | None = None
    truncated: bool = False

    def records(self) -> list[dict]:
        """Rows as dicts of plain Python values (int, Decimal, float, bool, str or None)."""
        return [{c: _plain(v) for c, v in zip(self.columns, row)} for row in self.rows]

    def __len__(self):
        return len(self.graph) if self.graph is not None else len(self.rows)


# ----------------------------------------------------------------------------------------- loading


def parse_query(text: str, name: str, source: str = "<string>") -> CannedQuery:
    """Parse one query file's text; QueryError naming ``source`` and the line if the header is invalid."""
    if not _NAME.match(name):
        raise QueryError(f"{source}: query name {name!r} must be lower-case letters, digits and hyphens")
    fields: dict[str, str] = {}
    params: list[Param] = []
    lists: tuple[str, ...] = ()
    limit = None
    lines = text.splitlines()
    body_start = len(lines)
    for n, line in enumerate(lines, 1):
        s = line.strip()
        if not s.startswith("#"):
            body_start = n - 1
            break
        m = re.match(r"#\s*([a-z-]+)\s*:\s*(.*)$", s)
        if not m:
            continue  # free comment text in the header
        key, value = m.group(1), m.group(2).strip()
        if key in ("title", "description"):
            if key in fields:
                raise QueryError(f"{source}:{n}: {key} given twice")
            fields[key] = value
        elif key == "param":
            pm = _PARAM.match(value)
            if not pm:
                raise QueryError(f"{source}:{n}: bad param line {value!r}; write "
                                 "'# param: NAME[: TYPE] [= DEFAULT] [-- description]'")
            ptype = pm.group("type") or "string"
            if ptype not in _TYPES:
                raise QueryError(f"{source}:{n}: param {pm.group('name')}: unknown type {ptype!r} "
                                 f"(use {', '.join(_TYPES)})")
            if any(p.name == pm.group("name") for p in params):
                raise QueryError(f"{source}:{n}: param {pm.group('name')!r} declared twice")
            default = pm.group("default")
            param = Param(pm.group("name"), default, (pm.group("help") or "").strip(), ptype)
            if default:
                try:
                    param.literal(default)
                except QueryError as e:
                    raise QueryError(f"{source}:{n}: default of {e}") from None
            params.append(param)
        elif key == "lists":
            lists = tuple(c.strip() for c in value.split(",") if c.strip())
        elif key == "limit":
            if not re.fullmatch(r"[1-9][0-9]*", value):
                raise QueryError(f"{source}:{n}: limit must be a positive whole number, not {value!r}")
            limit = int(value)
        else:
            raise QueryError(f"{source}:{n}: unknown header field {key!r} "
                             "(use title, description, param, lists, limit)")
    for key in ("title", "description"):
        if not fields.get(key):
            raise QueryError(f"{source}: header lacks '# {key}: ...'")
    body = "\n".join(lines[body_start:])
    form = _FORM.search(_strip_comments(body))
    if not form:
        raise QueryError(f"{source}: no SELECT or CONSTRUCT query after the header")
    form = form.group(1).upper()
    if form not in ("SELECT", "CONSTRUCT"):
        raise QueryError(f"{source}: {form} queries are not supported; write a SELECT or CONSTRUCT query")
    used = set(_PARAM_VAR.findall(_strip_comments(body)))
    keys = set(_KEY_VAR.findall(_strip_comments(body)))
    declared = {p.name for p in params}
    if used - declared:
        raise QueryError(f"{source}: uses ?{sorted(used - declared)[0]}Param but declares no such param")
    strings = {p.name for p in params if p.type == "string"}
    if keys - strings:
        raise QueryError(f"{source}: uses ?{sorted(keys - strings)[0]}Key but declares no such string param")
    if declared - used - keys:
        unused = sorted(declared - used - keys)[0]
        raise QueryError(f"{source}: param {unused!r} is declared but neither ?{unused}Param nor ?{unused}Key "
                         "is used")
    if params and not any(ln.strip().startswith(MARKER) for ln in lines[body_start:]):
        raise QueryError(f"{source}: a query with parameters needs a '{MARKER}' line in each group that reads "
                         "them: engines without initBindings get a VALUES clause there")
    marks = sum(ln.strip().startswith(LIMIT_MARKER) for ln in lines[body_start:])
    if (limit is None) != (marks == 0) or marks > 1:
        raise QueryError(f"{source}: a '# limit: N' header and one '{LIMIT_MARKER}' line (where LIMIT goes) "
                         "come together")
    return CannedQuery(name=name, title=fields["title"], description=fields["description"], params=tuple(params),
                       text=body.strip() + "\n", form=form, lists=lists, path=Path(source),
                       keys=tuple(sorted(keys)), limit=limit)


def _strip_comments(text: str) -> str:
    """Drop '#' comments that start a line or follow whitespace (IRIs hold '#' with no space before it)."""
    return re.sub(r"(^|\s)#[^\n]*", r"\1", text)


def _query_files() -> dict[str, Path]:
    return {p.stem: p for p in sorted(QUERY_DIR.glob("*.rq"), key=lambda p: p.stem)}


def load_query(name: str) -> CannedQuery:
    """Load the canned query ``name`` (``kg/queries/NAME.rq``); QueryError listing what exists if unknown."""
    files = _query_files()
    if name not in files:
        hint = difflib.get_close_matches(name, list(files), n=1)
        raise QueryError(f"unknown query {name!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                         + f"; available: {', '.join(files)} (see `kg query --list`)")
    path = files[name]
    return parse_query(path.read_text(encoding="utf-8"), name, str(path))


def list_queries() -> list[CannedQuery]:
    """Every canned query, by name."""
    return [load_query(name) for name in _query_files()]


# ----------------------------------------------------------------------------------------- binding


def _check_text(name: str, value: str) -> str:
    if not isinstance(value, str):
        raise QueryError(f"parameter {name}: expected text, got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError(f"parameter {name}: value is not valid Unicode text") from None
    if "\x00" in value:
        raise QueryError(f"parameter {name}: value holds a NUL character")
    return value


_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def sparql_literal(lit: Literal) -> str:
    """A literal as SPARQL text: every quote, backslash and line break escaped, so it cannot end early.

    >>> print(sparql_literal(Literal('a"} ; DROP ALL ; {"\\\\')))
    "a\\"} ; DROP ALL ; {\\"\\\\"
    >>> sparql_literal(Literal("0.7", datatype=XSD.decimal))
    '"0.7"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    """
    body = "".join(_ECHAR.get(ch, ch) for ch in str(lit))
    text = f'"{body}"'
    if lit.language:
        if not re.fullmatch(r"[A-Za-z]+(-[A-Za-z0-9]+)*", lit.language):
            raise QueryError(f"bad language tag {lit.language!r}")
        return f"{text}@{lit.language}"
    if lit.datatype is not None and str(lit.datatype) != _XSD_STRING:
        dt = str(lit.datatype)
        if re.search(r'[\x00-\x20<>"{}|^`\\]', dt):
            raise QueryError(f"bad datatype IRI {dt!r}")
        return f"{text}^^<{dt}>"
    return text


def values_text(query: CannedQuery, params: dict | None = None, limit: int | None = None) -> str:
    """The query text with its parameters bound by a VALUES clause at the ``# @parameters`` marker.

    This is what a store or an HTTP endpoint runs; print it with ``kg query NAME --sparql``. ``limit`` is
    the row limit (None: the query's default; 0: none).
    """
    text = query.limited(query.limit if limit is None else limit)
    bound = query.variables(query.bind(params))
    if not bound:
        return text
    variables = " ".join(f"?{v}" for v in bound)
    terms = " ".join(sparql_literal(lit) for lit in bound.values())
    out = []
    for line in text.splitlines():
        if line.strip().startswith(MARKER):
            indent = line[: len(line) - len(line.lstrip())]
            line = f"{indent}VALUES ({variables}) {{ ({terms}) }}"
        out.append(line)
    return "\n".join(out) + "\n"


def parse_params(pairs) -> dict[str, str]:
    """``["key=value", ...]`` (the CLI's ``-p`` options) -> a dict; QueryError on a malformed pair.

    >>> parse_params(["benchmark=minif2f", "note=a=b"])
    {'benchmark': 'minif2f', 'note': 'a=b'}
    """
    out: dict[str, str] = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise QueryError(f"parameter {pair!r} is not KEY=VALUE (e.g. -p benchmark=MiniF2F)")
        if key in out:
            raise QueryError(f"parameter {key!r} given twice")
        out[key] = value
    return out


# ----------------------------------------------------------------------------------------- engines


def open_store(graph=None, store=None):
    """A pyoxigraph store holding ``graph`` (an RDF file, loaded in memory) or ``store`` (a directory).

    A store directory is an on-disk pyoxigraph store, opened read-only, or a `kg build` output directory,
    whose ``graph.ttl`` is loaded. GraphError if the file or directory is missing or unreadable.
    """
    import pyoxigraph as ox

    if store is not None:
        if isinstance(store, ox.Store):
            return store
        path = Path(store)
        if not path.is_dir():
            raise GraphError(f"{path}: no such store directory (load one with pyoxigraph, or use --graph FILE)")
        if (path / "graph.ttl").is_file() and not (path / "CURRENT").is_file():
            return open_store(graph=path / "graph.ttl")  # a `kg build` output directory, as other commands take
        try:
            return ox.Store.read_only(str(path))
        except OSError as e:
            raise GraphError(f"{path}: cannot open as a pyoxigraph store: {_first_line(e)}") from None
    path = Path(graph)
    if not path.is_file():
        raise GraphError(f"{path}: no such graph file (build one with `kg build`)")
    fmt = _rdf_format(path)
    if fmt is None:
        raise GraphError(f"{path}: unknown RDF format (use .ttl, .nt, .nq, .trig, .rdf or .n3)")
    st = ox.Store()
    try:
        st.bulk_load(path=str(path), format=fmt)
    except (SyntaxError, ValueError, OSError) as e:
        raise GraphError(f"{path}: cannot parse as {fmt.name}: {_first_line(e)}") from None
    return st


def _rdf_format(path: Path):
    import pyoxigraph as ox

    ext = path.suffix.lower().lstrip(".")
    ext = {"owl": "rdf", "xml": "rdf"}.get(ext, ext)
    return ox.RdfFormat.from_extension(ext) if ext else None


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return (text.splitlines()[0] if text else type(e).__name__)[:300]


def _from_ox(term):
    """A pyoxigraph term -> the equal rdflib term; an unbound result column stays None."""
    from .store import from_ox

    return None if term is None else from_ox(term)


@lru_cache(maxsize=64)
def _prepare(text: str):
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text)


def _run_rdflib(query: CannedQuery, bound: dict, g: Graph, limit: int | None):
    try:
        res = g.query(query.prepared(limit), initBindings=query.variables(bound))
    except Exception as e:  # the SPARQL engine raises many types
        raise QueryError(f"query {query.name!r} failed on the graph: {_first_line(e)}") from None
    if query.form == "CONSTRUCT":
        return [], [], res.graph
    columns = [str(v) for v in res.vars]
    return columns, [tuple(row) for row in res], None


def _run_oxigraph(query: CannedQuery, text: str, store):
    try:
        res = store.query(text, use_default_graph_as_union=True)
        if query.form == "CONSTRUCT":
            g = Graph()
            for t in res:
                g.add((_from_ox(t.subject), _from_ox(t.predicate), _from_ox(t.object)))
            return [], [], g
        columns = [v.value for v in res.variables]
        rows = [tuple(_from_ox(sol[i]) for i in range(len(columns))) for sol in res]
    except (SyntaxError, OSError, ValueError, RuntimeError) as e:
        raise QueryError(f"query {query.name!r} failed on the store: {_first_line(e)}") from None
    return columns, rows, None


_CONSTRUCT_ACCEPT = ("application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5, "
                     "text/plain;q=0.2")
_RDF_MIME = {"application/n-triples": "nt", "text/plain": "nt", "text/turtle": "turtle",
             "application/x-turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
             "text/n3": "n3"}


def _run_http(query: CannedQuery, text: str, endpoint: str, timeout: float):
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise QueryError(f"endpoint {endpoint!r} is not an http(s) URL (e.g. http://localhost:7878/sparql)")
    accept = _CONSTRUCT_ACCEPT if query.form == "CONSTRUCT" else "application/sparql-results+json"
    # SPARQL 1.1 protocol "query via URL-encoded POST": accepted by Fuseki, Virtuoso, GraphDB and Oxigraph.
    req = urllib.request.Request(endpoint, data=urllib.parse.urlencode({"query": text}).encode("utf-8"),
                                 headers={"Accept": accept, "User-Agent": "paperkg",
                                          "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            ctype = resp.headers.get_content_type()
            body = resp.read()
    except urllib.error.HTTPError as e:
        detail = e.read().decode("utf-8", "replace").strip()
        detail = detail.splitlines()[0][:300] if detail else e.reason
        raise QueryError(f"endpoint {endpoint} answered {e.code} to query {query.name!r}: {detail}") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise QueryError(f"cannot reach endpoint {endpoint}: {reason}") from None
    if query.form == "CONSTRUCT":
        g = Graph()
        try:
            g.parse(data=body, format=_RDF_MIME.get(ctype, "turtle"))
        except Exception as e:  # rdflib parsers raise many types
            raise QueryError(f"endpoint {endpoint} sent an unreadable {ctype} graph: {_first_line(e)}") from None
        return [], [], g
    try:
        data = json.loads(body.decode("utf-8"))
        columns = list(data["head"]["vars"])
        rows = [tuple(_from_json(b.get(c)) for c in columns) for b in data["results"]["bindings"]]
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise QueryError(f"endpoint {endpoint} sent no SPARQL JSON results ({ctype}): {_first_line(e)}") from None
    return columns, rows, None


def _from_json(cell):
    """A SPARQL 1.1 JSON results term -> rdflib term (Virtuoso's older 'typed-literal' included)."""
    if cell is None:
        return None
    kind, value = cell["type"], cell["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if cell.get("xml:lang"):
        return Literal(value, lang=cell["xml:lang"])
    dt = cell.get("datatype")
    return Literal(value, datatype=URIRef(dt)) if dt and dt != _XSD_STRING else Literal(value)


def _canonical(term):
    """Decimals and integers in canonical form, so every engine gives the same terms (48.0, not 48)."""
    if isinstance(term, Literal) and (term.datatype == XSD.decimal or term.datatype == XSD.integer):
        try:
            d = Decimal(str(term).strip())
        except InvalidOperation:
            return term
        if d.is_finite():
            text = _decimal_text(d) if term.datatype == XSD.decimal else str(int(d))
            return term if text == str(term) else Literal(text, datatype=term.datatype)
    return term


def _tidy_rows(query: CannedQuery, columns: list[str], rows: list[tuple]) -> list[tuple]:
    """Canonical numbers, and the items of ``# lists:`` columns sorted and deduplicated."""
    idx = {i for i, c in enumerate(columns) if c in query.lists}
    out = []
    for row in rows:
        row = [_canonical(v) for v in row]
        for i in idx:
            if isinstance(row[i], Literal):
                items = sorted(set(filter(None, str(row[i]).split(LIST_SEPARATOR))), key=lambda s: (s.lower(), s))
                row[i] = Literal(LIST_SEPARATOR.join(items))
        out.append(tuple(row))
    return out


def _tidy_graph(g: Graph) -> Graph:
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns, override=True)
    for s, p, o in g:
        out.add((s, p, _canonical(o)))
    return out


def run_query(name, params: dict | None = None, graph=None, store=None, endpoint: str | None = None,
              timeout: float = 60.0, limit: int | None = None) -> QueryResult:
    """Run the canned query ``name`` with ``params`` (name -> text; defaults fill the rest) on one source.

    ``graph`` is an rdflib Graph (queried with initBindings) or a path of an RDF file; ``store`` a pyoxigraph
    store directory or Store; ``endpoint`` a SPARQL 1.1 protocol URL. Exactly one must be given. ``name`` may
    also be a CannedQuery. ``limit`` caps the rows of a query with a ``# limit:`` header (None: its default,
    0: every row); the result's ``truncated`` says whether rows were left out. Raises QueryError (unknown
    query or parameter, bad limit, failed query) or GraphError.

    >>> from rdflib import Graph
    >>> run_query("review", {"threshold": "0.5"}, graph=Graph()).rows
    []
    """
    query = name if isinstance(name, CannedQuery) else load_query(name)
    bound = query.bind(params)
    given = [s for s in (graph, store, endpoint) if s is not None]
    if len(given) != 1:
        raise QueryError("give exactly one of a graph, a store or an endpoint to query")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise QueryError(f"limit must be a whole number >= 0 (0 for every row), not {limit!r}")
    if query.limit is None and limit:
        raise QueryError(f"query {query.name!r} returns all its rows and takes no limit")
    limit = query.limit if limit is None else limit
    fetch = limit + 1 if limit else None  # one row more, to tell whether rows were left out
    if isinstance(graph, Graph):
        columns, rows, g = _run_rdflib(query, bound, graph, fetch)
    elif endpoint is not None:
        columns, rows, g = _run_http(query, values_text(query, params, fetch or 0), endpoint, timeout)
    else:
        columns, rows, g = _run_oxigraph(query, values_text(query, params, fetch or 0), open_store(graph, store))
    truncated = bool(limit) and len(rows) > limit
    if truncated:
        rows = rows[:limit]
    return QueryResult(query=query, params={n: str(v) for n, v in bound.items()}, columns=columns,
                       rows=_tidy_rows(query, columns, rows), graph=None if g is None else _tidy_graph(g),
                       truncated=truncated)


def construct_graph(name: str, params: dict | None, source) -> Graph:
    """Run the CONSTRUCT query ``name`` and return its subgraph as an rdflib Graph (for ``kg view --query``).

    Signature: ``construct_graph(name: str, params: dict[str, str] | None, source) -> rdflib.Graph`` where
    ``source`` is an rdflib Graph, a path of an RDF file, a pyoxigraph store directory (a Path that is a
    directory) or ``pyoxigraph.Store``, or an ``http(s)://`` SPARQL endpoint URL. QueryError if ``name`` is not
    a CONSTRUCT query.

    >>> from rdflib import Graph
    >>> len(construct_graph("hardware-graph", {"hardware": "GPU"}, Graph()))
    0
    """
    query = load_query(name)
    if query.form != "CONSTRUCT":
        constructs = [q.name for q in list_queries() if q.form == "CONSTRUCT"]
        raise QueryError(f"query {name!r} is a {query.form} query, not a CONSTRUCT; "
                         f"graph queries: {', '.join(constructs)}")
    if isinstance(source, Graph):
        return run_query(query, params, graph=source).graph
    if isinstance(source, str) and re.match(r"https?://", source):
        return run_query(query, params, endpoint=source).graph
    if not isinstance(source, (str, Path)):
        return run_query(query, params, store=source).graph
    if Path(source).is_dir():
        return run_query(query, params, store=source).graph
    return run_query(query, params, graph=source).graph


# ----------------------------------------------------------------------------------------- serving


_RESULT_TYPES = {"application/sparql-results+json": "JSON", "application/json": "JSON",
                 "application/sparql-results+xml": "XML", "application/xml": "XML", "text/csv": "CSV",
                 "text/tab-separated-values": "TSV"}
_GRAPH_TYPES = {"application/n-triples": "N_TRIPLES", "text/plain": "N_TRIPLES", "text/turtle": "TURTLE",
                "application/rdf+xml": "RDF_XML", "application/n-quads": "N_QUADS"}


def _negotiate(accept: str, offers: dict, default: str) -> str:
    """The offered media type the Accept header ranks highest (ties: header order), else ``default``."""
    ranked = []
    for i, part in enumerate((accept or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        ranked.append((-q, i, fields[0].lower()))
    for negq, _, mime in sorted(ranked):
        if negq == 0:
            break
        if mime in offers:
            return mime
        if mime in ("*/*", "application/*"):
            return default
    return default


def answer_sparql(store, text: str, accept: str = "") -> tuple[str, bytes]:
    """Answer one SPARQL protocol query on a pyoxigraph store: (content type, body), as ``kg serve`` sends.

    SELECT and ASK results go as SPARQL JSON (or XML, CSV, TSV if asked); CONSTRUCT and DESCRIBE as
    N-Triples (or Turtle, RDF/XML). Raises QueryError on a malformed query; updates are not accepted.
    """
    import pyoxigraph as ox

    try:
        res = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as e:
        raise QueryError(f"malformed query: {_first_line(e)}") from None
    except (OSError, ValueError, RuntimeError) as e:
        raise QueryError(f"query failed: {_first_line(e)}") from None
    if isinstance(res, ox.QueryTriples):
        mime = _negotiate(accept, _GRAPH_TYPES, "application/n-triples")
        return mime, res.serialize(format=getattr(ox.RdfFormat, _GRAPH_TYPES[mime]))
    mime = _negotiate(accept, _RESULT_TYPES, "application/sparql-results+json")
    return mime, res.serialize(format=getattr(ox.QueryResultsFormat, _RESULT_TYPES[mime]))


# ----------------------------------------------------------------------------------------- output


def _decimal_text(d: Decimal) -> str:
    """Canonical xsd:decimal text: no exponent, no trailing zeros, one digit after the point at least."""
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0")
        return s + "0" if s.endswith(".") else s
    return s + ".0"


def _plain(term):
    if term is None:
        return None
    if isinstance(term, Literal):
        dt = term.datatype
        try:
            if dt in _NUMERIC:
                return int(str(term))
            if dt == XSD.decimal:
                return Decimal(str(term))
            if dt in _FLOATS:
                return float(str(term))
            if dt == XSD.boolean:
                return str(term).strip() in ("true", "1")
        except (ValueError, InvalidOperation):
            return str(term)
    return str(term)


def _text(term) -> str:
    """A term as machine-readable text: IRIs whole, literals by their (canonical numeric) lexical form."""
    v = _plain(term)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return _decimal_text(v)
    return str(v)


def _short(term) -> str:
    """A term for people: IRIs with the project's prefixes, numbers canonical, one line."""
    if isinstance(term, URIRef):
        s = str(term)
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if s.startswith(ns):
                return f"{prefix}:{s[len(ns):]}"
        return f"<{s}>"
    return " ".join(_text(term).split())


def format_table(columns: list[str], rows: list[tuple], width: int | None = None, max_cell: int = 60) -> str:
    """Aligned columns that fit ``width`` characters (the terminal's by default), long text cut with '…'.

    >>> print(format_table(["name", "n"], [(Literal("GPU"), Literal(3)), (Literal("a" * 30), Literal(12))], width=20))
    name               n
    ----------------  --
    GPU                3
    aaaaaaaaaaaaaaa…  12
    (2 rows)
    """
    if width is None:
        width = shutil.get_terminal_size((120, 24)).columns
    cells = [[_short(v) for v in row] for row in rows]
    numeric = [bool(rows) and all(_is_number(row[i]) or row[i] is None for row in rows) for i in range(len(columns))]
    widths = [min(max([len(c)] + [len(r[i]) for r in cells]), max(max_cell, len(c)))
              for i, c in enumerate(columns)]
    # Shrink the widest column first, keeping 16 characters each (short names stay whole) while that fits,
    # then down to the header's width.
    for least in (16, 6):
        floor = [min(w, max(len(c), least)) for w, c in zip(widths, columns)]
        while sum(widths) + 2 * (len(widths) - 1) > width:
            i = max(range(len(widths)), key=lambda k: (widths[k] - floor[k], -k))
            if widths[i] <= floor[i]:
                break
            widths[i] -= 1

    def fit(text, i):
        text = text if len(text) <= widths[i] else text[: widths[i] - 1] + "…"
        return text.rjust(widths[i]) if numeric[i] else text.ljust(widths[i])

    lines = ["  ".join(fit(c, i) for i, c in enumerate(columns)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(fit(c, i) for i, c in enumerate(row)).rstrip() for row in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})" if rows else "(no rows)")
    return "\n".join(lines)


def _is_number(term) -> bool:
    return isinstance(term, Literal) and (term.datatype in _NUMERIC or term.datatype in (XSD.decimal, *_FLOATS))


def format_csv(result: QueryResult) -> str:
    """RFC 4180 CSV with a header row; IRIs whole, numbers canonical, unbound cells empty."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(result.columns)
    for row in result.rows:
        w.writerow([_text(v) for v in row])
    return buf.getvalue()


def format_json(result: QueryResult) -> str:
    """``{"query", "params", "columns", "rows": [{column: value}], "truncated"}``, numbers as JSON numbers.

    ``truncated`` is true when the query's row limit left rows out.
    """

    def value(term):
        v = _plain(term)
        return float(v) if isinstance(v, Decimal) else v

    data = {"query": result.query.name, "params": result.params, "columns": result.columns,
            "rows": [{c: value(v) for c, v in zip(result.columns, row)} for row in result.rows],
            "truncated": result.truncated}
    return json.dumps(data, ensure_ascii=False, indent=2)


def format_result(result: QueryResult, fmt: str = "table", width: int | None = None) -> str:
    """Render a result: SELECT as table, csv or json; CONSTRUCT as Turtle (table, turtle), nt or JSON-LD."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}; use {', '.join(FORMATS)}")
    if result.graph is not None:
        graph_formats = {"table": "turtle", "turtle": "turtle", "nt": "nt", "json": "json-ld"}
        if fmt not in graph_formats:
            raise QueryError(f"{result.query.name} is a CONSTRUCT query returning a graph; "
                             "use --format table (Turtle), turtle, nt or json (JSON-LD)")
        text = result.graph.serialize(format=graph_formats[fmt])
        if fmt == "nt":  # N-Triples has no fixed order; sort it so the same graph gives the same bytes
            text = "".join(sorted(text.splitlines(keepends=True)))
        return text.rstrip("\n")
    if fmt == "csv":
        return format_csv(result).rstrip("\n")
    if fmt == "json":
        return format_json(result)
    if fmt in ("turtle", "nt"):
        raise QueryError(f"{result.query.name} is a SELECT query returning rows; use --format table, csv or json")
    return format_table(result.columns, result.rows, width=width)


def format_query_list(queries: list[CannedQuery]) -> str:
    """The ``kg query --list`` text: name, description, then each parameter with its default."""
    width = max([len(q.name) for q in queries] + [4]) + 2
    lines = []
    for q in queries:
        kind = "" if q.form == "SELECT" else "  [graph]"
        lines.append(f"{q.name.ljust(width)}{q.description}{kind}")
        for p in q.params:
            default = "(required)" if p.default is None else (p.default or '""')
            typ = f" ({p.type})" if p.type != "string" else ""
            lines.append(f"{'':{width}}  -p {p.name}={default}{typ}" + (f"  -- {p.help}" if p.help else ""))
        if q.limit:
            lines.append(f"{'':{width}}  --limit {q.limit}  -- the best {q.limit} rows by default; 0 for all")
    return "\n".join(lines)
