"""Orphanet's controlled vocabulary as it appears on disease pages (modes of inheritance, ages
of onset, kinds of prevalence), marked for translation: the English value is the message id,
so a page shows ``_(value)`` and an unknown value falls back to Orphanet's own words."""

from __future__ import annotations

from rarecare.i18n import N_

INHERITANCE = (
    N_("Autosomal dominant"),
    N_("Autosomal recessive"),
    N_("Mitochondrial inheritance"),
    N_("Multigenic/multifactorial"),
    N_("Oligogenic"),
    N_("Semi-dominant"),
    N_("X-linked dominant"),
    N_("X-linked recessive"),
    N_("Y-linked"),
)
ONSET = (
    N_("Antenatal"),
    N_("Neonatal"),
    N_("Infancy"),
    N_("Childhood"),
    N_("Adolescent"),
    N_("Adult"),
    N_("Elderly"),
    N_("All ages"),
)
PREVALENCE = (
    N_("Point prevalence"),
    N_("Annual incidence"),
    N_("Prevalence at birth"),
    N_("Lifetime Prevalence"),
    N_("Cases/families"),
)
# the HPO frequency classes annotations carry (rarecare.knowledge.frequency), shown with
# the |vocab filter (their "%" must not go through a formatting gettext)
FREQUENCY = (
    N_("Obligate (100%)"),
    N_("Very frequent (80-99%)"),
    N_("Frequent (30-79%)"),
    N_("Occasional (5-29%)"),
    N_("Very rare (1-4%)"),
    N_("Excluded (0%)"),
)
MISSING = (N_("No data available"), N_("Not applicable"), N_("Not yet documented"), N_("Unknown"))
# Orphanet's typology of its entities (a disease page's badge)
TYPOLOGY = (
    N_("Disease"),
    N_("Malformation syndrome"),
    N_("Category"),
    N_("Clinical subtype"),
    N_("Clinical group"),
    N_("Morphological anomaly"),
    N_("Etiological subtype"),
    N_("Particular clinical situation in a disease or syndrome"),
    N_("Clinical syndrome"),
    N_("Histopathological subtype"),
    N_("Biological anomaly"),
)
# where a prevalence was measured: regions are Orphanet's own words; countries are translated
# from the CLDR names Babel ships (rarecare.i18n.place_name)
REGIONS = (
    N_("Worldwide"),
    N_("Europe"),
    N_("Africa"),
    N_("Latin America"),
    N_("North America"),
    N_("Oceania"),
    N_("South East Asia"),
    N_("Eastern Mediterranean Asia"),
    N_("Western Asia"),
    N_("Specific population"),
)


VOCABULARY = frozenset(
    (*INHERITANCE, *ONSET, *PREVALENCE, *FREQUENCY, *MISSING, *TYPOLOGY, *REGIONS, "no data")
)
