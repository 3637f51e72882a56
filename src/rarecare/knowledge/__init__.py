"""The knowledge base: HPO, ORPHA, OMIM, ICD-10/11 and their mappings (no web or DB imports).

Public API::

    kb = load_knowledge(cache_dir)        # < 2 s from the binary cache
    kb.search_diseases("pompe")           # ranked hits: code > name > prefix > words
    kb.search_terms("seizure")            # HPO autocomplete
    kb.disease("ORPHA:365"), kb.term("HP:0001250"), kb.resolve_term("HP:0000000")
"""

from rarecare.knowledge.base import KnowledgeBase, build, load_knowledge
from rarecare.knowledge.diseases import Annotation, Disease, Gene, Prevalence, Xref
from rarecare.knowledge.hpo import HpoTerm, Ontology, Resolution
from rarecare.knowledge.search import Hit, normalise_code, normalise_icd10, normalise_orpha
from rarecare.knowledge.sources import SOURCES, Source
from rarecare.knowledge.text import fold

__all__ = [
    "SOURCES",
    "Annotation",
    "Disease",
    "Gene",
    "Hit",
    "HpoTerm",
    "KnowledgeBase",
    "Ontology",
    "Prevalence",
    "Resolution",
    "Source",
    "Xref",
    "build",
    "fold",
    "load_knowledge",
    "normalise_code",
    "normalise_icd10",
    "normalise_orpha",
]
