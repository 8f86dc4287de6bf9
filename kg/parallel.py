"""Where extraction runs: in this process, in worker processes on this machine, or on a Dask cluster.

Every engine takes papers in batches and gives back ``(paper, extraction)`` pairs batch by batch, in input
order, so the graph is the same byte for byte whichever engine made it. Only a few batches are in flight at
a time, so memory stays bounded however many papers stream through.

Each worker builds the spaCy pipeline once and keeps it for the batches it is sent.

Examples
--------
>>> from kg.ingest import Paper
>>> with make_engine(jobs=1) as engine:
...     [[e.links[0].entity.name for _, e in batch] for batch in engine.map([[Paper("T", "We use GPT-4.")]])]
[['GPT-4']]
"""

from __future__ import annotations

import collections
import os
import threading
from typing import Iterable, Iterator

from .errors import KGError

__all__ = ["Engine", "InProcessEngine", "ProcessEngine", "DaskEngine", "make_engine", "extract_batch",
           "batched"]

# One pipeline per worker thread, built on first use (workers are separate processes; a Dask worker may
# also run several threads).
_local = threading.local()


def _pipeline():
    nlp = getattr(_local, "nlp", None)
    if nlp is None:
        from .extract import build_pipeline

        nlp = _local.nlp = build_pipeline()
    return nlp


def extract_batch(papers: list, triples: bool = False):
    """Extract a batch of papers with this worker's pipeline: the extractions, in order.

    With `triples`, also write the papers' own triples here, in the worker (see `kg.build.batch_output`):
    ``(extractions, output)``.
    """
    from .extract import extract_papers

    extractions = [ext for _, ext in extract_papers(papers, _pipeline())]
    if not triples:
        return extractions
    return extractions, _output(papers, extractions)


def _output(papers, extractions):
    from .build import batch_output

    return batch_output(papers, extractions)


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Lists of up to `size` consecutive items.

    >>> list(batched(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    batch = []
    for x in items:
        batch.append(x)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Engine:
    """Runs `extract_batch` over batches of papers; subclasses choose where. A context manager."""

    workers = 1

    def map(self, batches: Iterable[list], triples: bool = False) -> Iterator:
        """Yield, for each batch of papers, its list of (paper, extraction) pairs, in order.

        With `triples`, yield ``(pairs, output)``: the pairs and the batch's triples (`kg.build.batch_output`).
        """
        window = collections.deque()
        for batch in batches:
            window.append((batch, self.submit(batch, triples)))
            if len(window) > 2 * self.workers:
                yield self._collect(*window.popleft(), triples)
        while window:
            yield self._collect(*window.popleft(), triples)

    def _collect(self, batch, handle, triples):
        got = self.result(handle)
        if triples:
            extractions, output = got
            return list(zip(batch, extractions)), output
        return list(zip(batch, got))

    def submit(self, batch: list, triples: bool = False):
        raise NotImplementedError

    def result(self, handle) -> list:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class InProcessEngine(Engine):
    """Extraction in this process, one batch at a time."""

    def __init__(self, nlp=None):
        self.nlp = nlp

    def map(self, batches, triples: bool = False):
        from .extract import build_pipeline, extract_papers

        nlp = self.nlp or build_pipeline()
        for batch in batches:
            pairs = list(extract_papers(batch, nlp))
            yield (pairs, _output(batch, [e for _, e in pairs])) if triples else pairs


def _init_worker():
    _pipeline()


class ProcessEngine(Engine):
    """Extraction in `jobs` worker processes on this machine (multiprocessing; fork where available)."""

    def __init__(self, jobs: int):
        import multiprocessing as mp

        methods = mp.get_all_start_methods()
        ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        self.workers = jobs
        self.pool = ctx.Pool(jobs, initializer=_init_worker)

    def submit(self, batch, triples=False):
        return self.pool.apply_async(extract_batch, (batch, triples))

    def result(self, handle):
        return handle.get()

    def close(self):
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None

    def __exit__(self, exc_type, *rest):
        if exc_type is not None and self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
        self.close()


class DaskEngine(Engine):
    """Extraction on a Dask distributed cluster: batches go to its workers, extractions come back here.

    The workers need paperkg installed (the same version); the papers travel to them with the batch, so
    they need no access to the input files.
    """

    def __init__(self, scheduler: str, timeout: float = 30):
        try:
            from distributed import Client
        except ImportError:
            raise KGError("--engine dask needs the distributed package: pip install 'paperkg[dask]'") from None
        try:
            self.client = Client(scheduler, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise KGError(f"cannot reach the Dask scheduler at {scheduler}: {msg[:160]} "
                          "(start one with `dask scheduler`, or check the address)") from None
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def submit(self, batch, triples=False):
        return self.client.submit(extract_batch, batch, triples, pure=False)

    def result(self, handle):
        return handle.result()

    def close(self):
        if self.client is not None:
            self.client.close()
            self.client = None


def make_engine(jobs: int = 1, engine: str = "local", scheduler: str | None = None) -> Engine:
    """The engine for `kg build`'s options: ``local`` with `jobs` processes, or ``dask`` at `scheduler`."""
    if engine == "dask":
        if not scheduler:
            raise KGError("--engine dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
        return DaskEngine(scheduler)
    if engine != "local":
        raise KGError(f"unknown engine {engine!r}; use local or dask")
    if scheduler:
        raise KGError("--scheduler is for --engine dask")
    if jobs < 1:
        raise KGError(f"--jobs must be at least 1, not {jobs}")
    return InProcessEngine() if jobs == 1 else ProcessEngine(jobs)


def default_jobs() -> int:
    """Worker processes for a big build: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
