"""What extraction produces for one paper: entities, links and results, each with evidence.

These are plain dataclasses with no spaCy in sight, so that graph building, storage and tests can use
them without loading the NLP pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Entity", "Link", "Result", "PaperExtraction", "ENTITY_TYPES", "LINK_KINDS"]

ENTITY_TYPES = ("Method", "Model", "Dataset", "Hardware", "Task")
LINK_KINDS = ("proposes", "usesMethod", "usesModel", "evaluatedOn", "usesDataset", "targetsHardware",
              "addressesTask")


@dataclass(frozen=True)
class Entity:
    """A named thing as one paper writes it.

    `key` identifies it across papers (the same key and type is the same node); `name` is the preferred
    spelling in this paper and `aliases` every other surface form seen in it.
    """

    type: str  # one of ENTITY_TYPES; Dataset may carry benchmark=True
    key: str
    name: str
    aliases: tuple[str, ...] = ()
    benchmark: bool = False
    family: tuple[str, ...] = ()  # for models: the more general names, nearest first (Llama-3.1, Llama)
    parameters: float | None = None  # for models whose name states a size


@dataclass(frozen=True)
class Link:
    """A paper -> entity link of one kind, with the sentence it came from."""

    kind: str
    entity: Entity
    evidence: str
    confidence: float
    rule: str


@dataclass(frozen=True)
class Result:
    """A number the paper reports on a dataset."""

    dataset: Entity
    value: str  # decimal as written, normalised (no thousands separators)
    unit: str | None
    kind: str  # "absolute" or "improvement"
    evidence: str
    confidence: float
    system: Entity | None = None
    metric: str | None = None


@dataclass
class PaperExtraction:
    """Everything extracted from one paper."""

    links: list[Link] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
