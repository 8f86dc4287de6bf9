"""`kg serve`: a read-only SPARQL 1.1 protocol endpoint over a graph file or a pyoxigraph store.

Queries arrive as ``GET /sparql?query=...``, ``POST /sparql`` with a form-encoded ``query``, or ``POST`` with
``Content-Type: application/sparql-query``. SELECT and ASK answer in SPARQL JSON (or XML, CSV, TSV by the
Accept header); CONSTRUCT and DESCRIBE in N-Triples (or Turtle, RDF/XML). Updates are refused: the server
only reads. The query engine is pyoxigraph, reached through `kg.query`.

Examples
--------
>>> import threading, urllib.request, urllib.parse, json, pyoxigraph
>>> server = make_server(pyoxigraph.Store(), port=0)
>>> threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
>>> url = endpoint_url(server) + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
>>> json.load(urllib.request.urlopen(url))["boolean"]
False
>>> server.shutdown(); server.server_close()
"""

from __future__ import annotations

import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .errors import QueryError
from .query import answer_sparql

__all__ = ["make_server", "endpoint_url", "PATH", "MAX_QUERY_BYTES"]

PATH = "/sparql"
MAX_QUERY_BYTES = 1_000_000


class _Handler(BaseHTTPRequestHandler):
    server_version = "paperkg-sparql"
    store = None  # set on the subclass make_server builds
    quiet = True

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if not self.quiet:
            super().log_message(format, *args)

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype if not ctype.startswith("text/") else f"{ctype}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        self._send(status, "text/plain", (message.rstrip() + "\n").encode("utf-8"))

    def _answer(self, fields: dict) -> None:
        if "update" in fields:
            self._error(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL updates are not accepted")
            return
        queries = fields.get("query") or []
        if len(queries) != 1:
            self._error(HTTPStatus.BAD_REQUEST, f"give exactly one 'query' parameter (SPARQL 1.1 protocol); "
                                                f"e.g. {PATH}?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D")
            return
        try:
            ctype, body = answer_sparql(self.store, queries[0], self.headers.get("Accept", ""))
        except QueryError as e:
            self._error(HTTPStatus.BAD_REQUEST, str(e))
            return
        self._send(HTTPStatus.OK, ctype, body)

    def _route(self) -> str | None:
        path = urllib.parse.urlsplit(self.path).path
        if path not in (PATH, PATH + "/", "/query"):
            self._error(HTTPStatus.NOT_FOUND, f"no such resource; the SPARQL endpoint is {PATH}")
            return None
        return path

    def do_GET(self):  # noqa: N802 - http.server's naming
        if self._route() is None:
            return
        self._answer(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query, keep_blank_values=True))

    do_HEAD = do_GET

    def do_POST(self):  # noqa: N802
        if self._route() is None:
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_QUERY_BYTES:
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"request body must be 0..{MAX_QUERY_BYTES} bytes")
            return
        raw = self.rfile.read(length)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._error(HTTPStatus.BAD_REQUEST, "request body is not UTF-8")
            return
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        fields = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query, keep_blank_values=True)
        if ctype == "application/sparql-query":
            fields["query"] = fields.get("query", []) + [text]
        elif ctype == "application/sparql-update":
            fields["update"] = [text]
        elif ctype in ("application/x-www-form-urlencoded", ""):
            for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items():
                fields[k] = fields.get(k, []) + v
        else:
            self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                        "send application/x-www-form-urlencoded or application/sparql-query")
            return
        self._answer(fields)


def make_server(store, host: str = "127.0.0.1", port: int = 7878, quiet: bool = True) -> ThreadingHTTPServer:
    """An HTTP server answering SPARQL on ``store`` (a pyoxigraph Store); port 0 picks a free port.

    Call ``serve_forever()`` to run it and ``shutdown()`` from another thread to stop it.
    """
    handler = type("SparqlHandler", (_Handler,), {"store": store, "quiet": quiet})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def endpoint_url(server: ThreadingHTTPServer) -> str:
    """The endpoint URL of a running server, e.g. ``http://127.0.0.1:7878/sparql``."""
    host, port = server.server_address[:2]
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}{PATH}"
