"""Extraction: papers -> entities, links and results, on a blank spaCy pipeline with rule components.

Importing this package does not import spaCy; `build_pipeline` and `extract_papers` do, when called.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from .records import ENTITY_TYPES, LINK_KINDS, Entity, Link, PaperExtraction, Result

__all__ = ["extract_papers", "extract_paper", "build_pipeline", "paper_text", "Entity", "Link", "Result",
           "PaperExtraction", "ENTITY_TYPES", "LINK_KINDS"]


def build_pipeline():
    """Build the spaCy pipeline (blank English + paperkg rule components)."""
    from .pipeline import build_pipeline as _build

    return _build()


def paper_text(paper) -> str:
    """The text the pipeline reads: title, a blank line, abstract."""
    return f"{paper.title}\n\n{paper.abstract}"


def extract_papers(papers: Iterable, nlp=None, batch_size: int = 64) -> Iterator[tuple[object, PaperExtraction]]:
    """Yield (paper, extraction) for each paper, in input order.

    Examples
    --------
    >>> from kg.ingest import Paper
    >>> p = Paper(title="FooNet: Fast Things", abstract="We propose FooNet. It runs on GPUs.")
    >>> [(l.kind, l.entity.name) for l in next(extract_papers([p]))[1].links if l.kind != "addressesTask"]
    [('proposes', 'FooNet'), ('targetsHardware', 'GPU')]
    """
    nlp = nlp or build_pipeline()
    papers = list(papers) if not hasattr(papers, "__next__") else papers
    stream = ((paper_text(p), p) for p in papers)
    for doc, paper in nlp.pipe(stream, as_tuples=True, batch_size=batch_size):
        yield paper, doc._.kg_extraction


def extract_paper(paper, nlp=None) -> PaperExtraction:
    """Extract one paper (builds the pipeline if none is given)."""
    return next(extract_papers([paper], nlp))[1]
