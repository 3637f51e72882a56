"""The words of the registry's coded fields, marked for translation: genetic findings
(zygosity, ACMG class), kinds of encounter, how an age is known."""

from __future__ import annotations

from rarecare.i18n import N_
from rarecare.registry.models import AgeKind

ZYGOSITIES = {
    "heterozygous": N_("heterozygous"),
    "homozygous": N_("homozygous"),
    "compound heterozygous": N_("compound heterozygous"),
    "hemizygous": N_("hemizygous"),
}
ACMG_CLASSES = {
    "pathogenic": N_("pathogenic"),
    "likely pathogenic": N_("likely pathogenic"),
    "uncertain significance": N_("uncertain significance"),
    "likely benign": N_("likely benign"),
    "benign": N_("benign"),
}
AGE_KINDS = {
    AgeKind.UNDETERMINED.value: N_("undetermined"),
    AgeKind.ANTENATAL.value: N_("antenatal"),
    AgeKind.AT_BIRTH.value: N_("at birth"),
    AgeKind.DATE.value: N_("a date"),
}
ENCOUNTER_KINDS = {
    "visit": N_("visit"),
    "admission": N_("admission"),
    "infusion": N_("infusion"),
    "teleconsultation": N_("teleconsultation"),
}
