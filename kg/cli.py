"""The `kg` command: thin click commands, one library call each.

Library errors (`kg.errors.KGError`) become a one-line ``Error: ...`` message and exit status 1; commands
that do not extract never import spaCy.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import KGError

DEFAULT_OUT = Path("output")
DEFAULT_GRAPH = DEFAULT_OUT / "graph.ttl"


class KGGroup(click.Group):
    """A group that turns project errors into one-line messages instead of tracebacks."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KGError as e:
            click.echo(f"Error: {e}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Error: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=KGGroup)
@click.version_option(__version__, prog_name="kg")
def cli():
    """paperkg: turn ML paper abstracts into an RDF knowledge graph with evidence for every link."""


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Directory to write graph.ttl and graph.html into.")
@click.option("--strict", is_flag=True, help="Fail on a record without title or abstract instead of skipping it.")
@click.option("--no-html", is_flag=True, help="Write only graph.ttl.")
@click.option("--store", "store", type=click.Path(path_type=Path), default=None,
              help="Also write the graph to an on-disk Oxigraph store in this directory (replacing one there); "
                   "papers stream through in batches, for inputs of any size.")
@click.option("--update", is_flag=True,
              help="Add the INPUTS' papers to the --store without redoing the papers it already has.")
@click.option("-j", "--jobs", type=int, default=None,
              help="Worker processes for extraction  [default: 1 for small inputs, every CPU for big ones]")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where extraction runs: this machine, or a Dask distributed cluster (needs --scheduler).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Address of the Dask scheduler for --engine dask, e.g. tcp://10.0.0.5:8786.")
def build(inputs, out, strict, no_html, store, update, jobs, engine, scheduler):
    """Extract papers into a knowledge graph: OUT/graph.ttl and OUT/graph.html.

    INPUTS are files or directories of papers (Daily Papers page text, JSON list, or JSON Lines; the
    format is recognised from the content). With no INPUTS the bundled sample corpus is used. A progress
    bar shows on a terminal.

    Example:

        kg build papers.jsonl more/ -o output

        kg build arxiv-cs.jsonl --store kgstore --jobs 2

        kg build new-papers.jsonl --store kgstore --update
    """
    from .build import build_graph_files
    from .progress import Progress

    with Progress() as progress:
        summary = build_graph_files(list(inputs) or None, out, strict=strict, html=not no_html, store=store,
                                    update=update, jobs=jobs, engine=engine, scheduler=scheduler,
                                    progress=progress)
    for w in summary.warnings[:20]:
        click.echo(f"Warning: {w}", err=True)
    if len(summary.warnings) > 20:
        click.echo(f"Warning: ... and {len(summary.warnings) - 20} more", err=True)
    click.echo(summary.describe())


@cli.command()
@click.argument("graph", required=False, type=click.Path(path_type=Path), default=None)
@click.option("--store", "store", type=click.Path(path_type=Path), default=None,
              help="Validate the graph in this store directory (from `kg build --store`) instead of a file.")
def validate(graph, store):
    """Check a graph against the paperkg SHACL shapes; exit 1 on any violation.

    Example:

        kg validate output/graph.ttl

        kg validate --store kgstore
    """
    from .validate import validate_graph

    if graph is not None and store is not None:
        raise click.UsageError("give a GRAPH file or --store DIR, not both")
    if store is not None:
        from .store import open_store, store_to_rdflib

        g, graph = store_to_rdflib(open_store(store, read_only=True)), store
    else:
        from .graph import read_graph

        graph = graph if graph is not None else DEFAULT_GRAPH
        g = read_graph(graph)
    report = validate_graph(g)
    if report.conforms:
        click.echo(f"{graph}: conforms to the paperkg shapes")
        return
    for v in report.violations[:200]:
        click.echo(str(v))
    more = len(report.violations) - 200
    if more > 0:
        click.echo(f"... and {more} more")
    click.echo(f"Error: {graph}: {len(report.violations)} SHACL violation(s)", err=True)
    sys.exit(1)


@cli.command()
@click.argument("graph", required=False, type=click.Path(path_type=Path), default=DEFAULT_GRAPH)
@click.option("--top", default=5, show_default=True, help="How many most-linked entities to list per type.")
def stats(graph, top):
    """Count papers, entities per type, links per kind and results; list the most-linked entities.

    Example:

        kg stats output/graph.ttl --top 10
    """
    from .graph import read_graph
    from .stats import format_stats, graph_stats

    click.echo(format_stats(graph_stats(read_graph(graph), top=top)))


def _graph_source(f):
    """--graph FILE / --store DIR, shared by the commands that read a built graph."""
    f = click.option("--store", "store", type=click.Path(path_type=Path), default=None,
                     help="Read the graph from a store directory: a `kg build` output directory or a pyoxigraph store.")(f)
    f = click.option("--graph", "-g", "graph", type=click.Path(path_type=Path), default=None,
                     help=f"RDF graph file to read  [default: {DEFAULT_GRAPH}]")(f)
    return f


def _load(graph, store):
    from .analyze import load_graph

    if graph is not None and store is not None:
        raise click.UsageError("give --graph or --store, not both")
    return load_graph(graph if graph is not None or store is not None else DEFAULT_GRAPH, store)


@cli.command()
@_graph_source
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--top", default=5, show_default=True, help="How many central entities to list per type.")
def analyze(graph, store, fmt, top):
    """Rank the most central entities per type (PageRank) and find research areas (Louvain communities).

    Example:

        kg analyze --graph output/graph.ttl --top 10 --format json
    """
    from .analyze import analysis_json, analyze as run_analysis, format_analysis

    result = run_analysis(_load(graph, store), top=top)
    click.echo(analysis_json(result) if fmt == "json" else format_analysis(result))


@cli.command()
@click.argument("source")
@click.argument("target")
@_graph_source
def path(source, target, graph, store):
    """Show the shortest connection between two papers or entities, each hop with its evidence sentence.

    SOURCE and TARGET are labels, aliases or paper titles (any case) or IRIs.

    Example:

        kg path LeanDojo DeepSeek-Prover
    """
    from .analyze import find_path, format_path, to_networkx

    hops = find_path(to_networkx(_load(graph, store)), source, target)
    if hops is None:
        click.echo(f"No connection between {source!r} and {target!r}: no chain of links joins them in this graph.",
                   err=True)
        sys.exit(1)
    click.echo(format_path(hops))


@cli.command()
@_graph_source
@click.option("-o", "--out", "out", type=click.Path(path_type=Path), default=DEFAULT_OUT / "report.html",
              show_default=True, help="HTML file to write.")
def report(graph, store, out):
    """Write a self-contained HTML report: counts, top entities, leaderboards, hardware, research areas.

    Example:

        kg report --graph output/graph.ttl -o output/report.html
    """
    from .report import write_report

    write_report(_load(graph, store), out)
    click.echo(f"Wrote {out}")


@cli.command()
@_graph_source
@click.option("--focus", metavar="NAME", help="Show this node (label or alias, any case) and its neighbourhood.")
@click.option("--depth", type=click.IntRange(0, 6), default=1, show_default=True,
              help="How many links away from --focus to go.")
@click.option("--query", "query", metavar="NAME", help="Show the subgraph of a canned CONSTRUCT query, e.g. hardware-graph.")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="A --query parameter; repeatable.")
@click.option("--types", "types", multiple=True, metavar="TYPE[,TYPE]",
              help="Only these classes: Paper, Method, Model, Dataset, Benchmark, Hardware, Task; repeatable.")
@click.option("--max-nodes", type=click.IntRange(1), default=600, show_default=True,
              help="Keep at most this many nodes (the most linked); the page says what was left out.")
@click.option("-o", "--out", "out", type=click.Path(path_type=Path), default=DEFAULT_OUT / "view.html",
              show_default=True, help="HTML file to write.")
def view(graph, store, focus, depth, query, params, types, max_nodes, out):
    """Write an interactive HTML view of the graph, or of part of it, that works offline.

    The page needs no network: search by label or alias, toggle types, click a node to see its
    neighbourhood, hover for evidence. Focus and query views answer questions like "everything around
    MiniF2F" or "the hardware landscape".

    Example:

    \b
        kg view --focus MiniF2F --depth 2 -o minif2f.html
        kg view --query hardware-graph -o hardware.html
    """
    from .view import write_html

    if params and not query:
        raise click.UsageError("-p/--param needs --query NAME")
    if query:
        from .query import parse_params

        params = parse_params(params)
    shown = write_html(_load(graph, store), out, focus=focus, depth=depth, query=query, params=params or None,
                       types=types or None, max_nodes=max_nodes)
    click.echo(f"Wrote {out}: {shown.summary()}")
    if shown.omitted:
        click.echo(shown.note)


@cli.command("eval")
@click.argument("gold", type=click.Path(path_type=Path))
@click.option("--graph", "graph", type=click.Path(path_type=Path), default=DEFAULT_GRAPH, show_default=True,
              help="The graph to score.")
@click.option("--verbose", "-v", is_flag=True, help="List every miss and false link, with its evidence sentence.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def eval_(gold, graph, verbose, fmt):
    """Score a graph against hand-annotated GOLD papers: precision, recall and F1 per entity type, links, results.

    GOLD is a JSON list in the annotation guideline's format (title, abstract, entities with type, name,
    aliases, relation, also_ok; results; ignore). Papers are matched by title.

    Example:

        kg eval gold_dev.json --graph output/graph.ttl --verbose
    """
    import json as _json

    from .evaluate import format_report, load_gold, score_graph
    from .graph import read_graph

    report = score_graph(read_graph(graph), load_gold(gold), verbose=verbose)
    if verbose:
        for line in report.log:
            click.echo(line)
    click.echo(_json.dumps(report.as_dict(), sort_keys=True) if fmt == "json" else format_report(report))


@cli.command()
@_graph_source
@click.option("--format", "-f", "fmt", type=click.Choice(["turtle", "ntriples", "jsonld", "trig"]), default=None,
              help="Output format  [default: from the -o suffix (.ttl .nt .jsonld .trig), else turtle]")
@click.option("-o", "--out", "out", type=click.Path(path_type=Path), default=None,
              help="File to write (atomically); standard output when not given or '-'.")
def export(graph, store, fmt, out):
    """Write the graph as Turtle, N-Triples, JSON-LD or TriG for other RDF tools.

    Turtle and TriG use the paperkg prefixes; TriG puts the data in the named graph
    <https://w3id.org/paperkg/id/graph>; JSON-LD has an @context of the same prefixes.

    Example:

        kg export --format ntriples --graph output/graph.ttl -o graph.nt
    """
    from .export import export_bytes, export_graph

    if graph is None and store is None:
        graph = DEFAULT_GRAPH
    if out is None or str(out) == "-":
        data, _ = export_bytes(fmt or "turtle", graph, store)
        click.get_binary_stream("stdout").write(data)
        return
    click.echo(export_graph(out, fmt, graph, store).describe())


@cli.command()
@click.option("--html", "as_html", is_flag=True, help="Write human-readable HTML documentation of every term.")
@click.option("-o", "--out", "out", type=click.Path(path_type=Path), default=None,
              help="File to write (atomically); standard output when not given.")
def ontology(as_html, out):
    """Print the paperkg ontology (Turtle), or with --html write its documentation page.

    Example:

        kg ontology --html -o docs/ontology.html
    """
    from .vocab import ONTOLOGY_FILE

    if as_html:
        from .ontology_docs import render_ontology_html, write_ontology_html

        if out is None:
            click.echo(render_ontology_html(), nl=False)
            return
        doc = write_ontology_html(out)
        click.echo(f"Wrote {out} ({len(doc.terms())} terms)")
        return
    if out is None:
        click.echo(ONTOLOGY_FILE.read_text(encoding="utf-8"), nl=False)
        return
    from .export import write_file

    write_file(out, ONTOLOGY_FILE.read_bytes())
    click.echo(f"Wrote {out}")


@cli.command()
@click.argument("name", required=False)
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A query parameter, e.g. -p benchmark=MiniF2F; repeatable. Names match labels and aliases in any case.")
@click.option("--graph", "graph", type=click.Path(path_type=Path), default=None,
              help=f"RDF graph file to query  [default: {DEFAULT_GRAPH}]")
@click.option("--store", "store", type=click.Path(path_type=Path), default=None,
              help="Query an on-disk pyoxigraph store directory (opened read-only).")
@click.option("--endpoint", "endpoint", metavar="URL", default=None,
              help="Query a SPARQL 1.1 endpoint over HTTP, e.g. http://localhost:8890/sparql.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "turtle", "nt"]), default="table",
              show_default=True, help="Rows as table, csv or json; CONSTRUCT graphs as turtle, nt or json (JSON-LD).")
@click.option("--list", "list_", is_flag=True, help="List the canned queries with their parameters and defaults.")
@click.option("--limit", "limit", type=click.IntRange(min=0), default=None, metavar="N",
              help="Rows to show of a query that has a row limit (leaderboard, hardware-papers): the best N; "
                   "0 for all  [default: the query's, see --list]")
@click.option("--sparql", "show_sparql", is_flag=True,
              help="Print the query with its parameters bound (a VALUES clause) instead of running it.")
def query(name, params, graph, store, endpoint, fmt, list_, show_sparql, limit):
    """Run a canned SPARQL query (kg/queries/NAME.rq) on a graph file, a store or an endpoint.

    Example:

    \b
        kg query --list
        kg query leaderboard -p benchmark=minif2f
        kg query leaderboard -p benchmark=gsm8k --store kgstore --limit 20
        kg query family -p family=Llama --format csv
        kg query hardware --endpoint http://localhost:7878/sparql --format json
    """
    from .query import format_query_list, format_result, list_queries, load_query, parse_params, run_query, values_text

    if list_:
        click.echo(format_query_list(list_queries()))
        return
    if not name:
        raise click.UsageError("give a query NAME, or --list to see them")
    values = parse_params(params)
    q = load_query(name)
    if limit and q.limit is None:
        raise click.UsageError(f"query {name} returns all its rows; --limit is for queries with a row limit "
                               "(see --list)")
    if show_sparql:
        click.echo(values_text(q, values, limit), nl=False)
        return
    if sum(x is not None for x in (graph, store, endpoint)) > 1:
        raise click.UsageError("give one of --graph, --store or --endpoint")
    if graph is None and store is None and endpoint is None:
        graph = DEFAULT_GRAPH
    result = run_query(q, values, graph=graph, store=store, endpoint=endpoint, limit=limit)
    click.echo(format_result(result, fmt))
    if result.truncated:
        click.echo(f"kg: showing the first {len(result.rows)} rows; --limit N shows more, --limit 0 all", err=True)


@cli.command()
@click.argument("graph", required=False, type=click.Path(path_type=Path), default=None)
@click.option("--store", "store", type=click.Path(path_type=Path), default=None,
              help="Serve an on-disk pyoxigraph store directory (opened read-only) instead of a graph file.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="Port to listen on; 0 picks a free one.")
def serve(graph, store, host, port):
    """Serve a graph as a read-only SPARQL 1.1 endpoint at http://HOST:PORT/sparql until Ctrl-C.

    GRAPH is an RDF file (default output/graph.ttl). Any SPARQL client can query it, and so can
    `kg query NAME --endpoint URL`.

    Example:

        kg serve output/graph.ttl --port 7878
    """
    from .query import open_store
    from .serve import endpoint_url, make_server

    if graph is not None and store is not None:
        raise click.UsageError("give GRAPH or --store, not both")
    source = open_store(graph=graph or DEFAULT_GRAPH) if store is None else open_store(store=store)
    try:
        server = make_server(source, host=host, port=port)
    except OSError as e:
        raise click.ClickException(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    click.echo(f"Serving {store or graph or DEFAULT_GRAPH} at {endpoint_url(server)} (read-only; Ctrl-C to stop)")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main():
    cli(prog_name="kg")


if __name__ == "__main__":
    main()
