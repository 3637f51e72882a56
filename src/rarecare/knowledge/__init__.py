"""The knowledge base: HPO, ORPHA, OMIM, ICD-10/11 and their mappings (no web or DB imports)."""

from rarecare.knowledge.sources import SOURCES, Source

__all__ = ["SOURCES", "Source"]
