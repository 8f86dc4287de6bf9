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
def build(inputs, out, strict, no_html):
    """Extract papers into a knowledge graph: OUT/graph.ttl and OUT/graph.html.

    INPUTS are files or directories of papers (Daily Papers page text, JSON list, or JSON Lines; the
    format is recognised from the content). With no INPUTS the bundled sample corpus is used.

    Example:

        kg build papers.jsonl more/ -o output
    """
    from .build import build_graph_files

    summary = build_graph_files(list(inputs) or None, out, strict=strict, html=not no_html)
    for w in summary.warnings[:20]:
        click.echo(f"Warning: {w}", err=True)
    if len(summary.warnings) > 20:
        click.echo(f"Warning: ... and {len(summary.warnings) - 20} more", err=True)
    click.echo(summary.describe())


@cli.command()
@click.argument("graph", required=False, type=click.Path(path_type=Path), default=DEFAULT_GRAPH)
def validate(graph):
    """Check a graph against the paperkg SHACL shapes; exit 1 on any violation.

    Example:

        kg validate output/graph.ttl
    """
    from .graph import read_graph
    from .validate import validate_graph

    report = validate_graph(read_graph(graph))
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


def main():
    cli(prog_name="kg")


if __name__ == "__main__":
    main()
