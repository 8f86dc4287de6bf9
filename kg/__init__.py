"""paperkg: ML paper abstracts -> an RDF knowledge graph of methods, models, datasets, hardware and results.

Data flows one way: ingest -> extract -> graph -> (query | view | export | validate).
"""

__version__ = "0.1.0"
