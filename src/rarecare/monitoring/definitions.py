"""The national indicators, as definitions (one reviewable registry, not pages): what each
counts, over which data, in which unit, which direction is better, its breakdowns, baseline and
target, the plan task it measures, a slot for the WHO Global Action Plan indicator code, and its
source. The engine (:mod:`rarecare.monitoring.engine`) computes them with set-based SQL.

Kinds:
- ``patients``: a ratio (or a count, without a denominator) of per-record measures of the
  registry — every breakdown is a roll-up of one scan of the patient table;
- ``median``: the median of a per-record number of days, per breakdown;
- ``travel``: from the infusions and the travel model (kilometres, trips out of province);
- ``national``: a figure over the lists, guidelines or plan (no patient breakdown);
- ``network``: newborn screening and referral times, from the care network's services."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rarecare.i18n import N_


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    PER_100K = "per_100k"
    DAYS = "days"
    VND = "vnd"
    KM = "km"


# the breakdowns of patient indicators ("" is the national figure)
PATIENT_BREAKDOWNS = (
    "",
    "province",
    "former_province",
    "centre",
    "disease",
    "disease_group",
    "sex",
    "age_band",
    "centre_disease_group",
)
MEDIAN_BREAKDOWNS = ("", "province", "former_province", "centre", "disease", "sex")
AGE_BANDS = ("0-4", "5-15", "16-39", "40-64", "65+")

BREAKDOWN_LABELS = {
    "": N_("Whole country"),
    "province": N_("Province"),
    "former_province": N_("Former province (63)"),
    "centre": N_("Treatment centre"),
    "disease": N_("Disease"),
    "disease_group": N_("Disease group"),
    "centre_disease_group": N_("Centre and disease group"),
    "sex": N_("Sex"),
    "age_band": N_("Age band"),
}


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    description: str
    unit: Unit
    kind: str  # patients | median | national | network
    numerator: str  # a patient measure, a median's value, or a national figure (engine names)
    denominator: str | None = None
    numerator_words: str = ""
    denominator_words: str = ""
    higher_is_better: bool = True
    breakdowns: tuple[str, ...] = PATIENT_BREAKDOWNS
    baseline: tuple[float, int] | None = None  # value, year
    target: tuple[float, int] | None = None
    task: str | None = None  # the plan's key task it measures
    who_code: str | None = None  # WHO Global Action Plan on Rare Diseases (when published)
    source: str = N_("RareCare registry")


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "registered",
        N_("Registered patients"),
        N_("People with a rare disease in the registry at the end of the period."),
        Unit.COUNT,
        "patients",
        "registered",
        numerator_words=N_("records registered on or before the last day of the period"),
        task="2",
    ),
    Indicator(
        "new_registrations",
        N_("New registrations"),
        N_("Records registered during the period."),
        Unit.COUNT,
        "patients",
        "new",
        numerator_words=N_("records registered during the period"),
    ),
    Indicator(
        "registered_per_100k",
        N_("Registered per 100,000 people"),
        N_("Registered patients per 100,000 inhabitants of the province (2025 populations)."),
        Unit.PER_100K,
        "patients",
        "registered",
        "population",
        numerator_words=N_("registered patients"),
        denominator_words=N_("population of the province (Resolution 202/2025/QH15)"),
        breakdowns=("", "province"),
        source=N_("RareCare registry; population 2025 (Resolution 202/2025/QH15, MOHA)"),
    ),
    Indicator(
        "share_children",
        N_("Children among registered patients"),
        N_("Share of living registered patients aged under 16 at the end of the period."),
        Unit.PERCENT,
        "patients",
        "child",
        "alive",
        numerator_words=N_("living registered patients under 16"),
        denominator_words=N_("living registered patients"),
        breakdowns=("", "province", "former_province", "centre", "disease", "disease_group", "sex"),
    ),
    Indicator(
        "deaths_under_5",
        N_("Deaths before age 5"),
        N_("Share of registered patients who died whose death came before their fifth birthday."),
        Unit.PERCENT,
        "patients",
        "dead_under_5",
        "dead",
        numerator_words=N_("deaths before age 5 (by the end of the period)"),
        denominator_words=N_("deaths of registered patients"),
        higher_is_better=False,
        breakdowns=("", "province", "former_province", "centre", "disease", "disease_group", "sex"),
        target=(20.0, 2026),
    ),
    Indicator(
        "days_symptoms_to_diagnosis",
        N_("Days from first symptoms to diagnosis"),
        N_("Median days from first symptoms to diagnosis, for diagnoses made in the period."),
        Unit.DAYS,
        "median",
        "symptoms_to_diagnosis",
        numerator_words=N_("diagnosis date minus first-symptoms date"),
        higher_is_better=False,
        breakdowns=MEDIAN_BREAKDOWNS,
        task="3",
    ),
    Indicator(
        "days_contact_to_diagnosis",
        N_("Days from first specialist contact to diagnosis"),
        N_(
            "Median days from first contact with a specialised centre to diagnosis, for "
            "diagnoses made in the period."
        ),
        Unit.DAYS,
        "median",
        "contact_to_diagnosis",
        numerator_words=N_("diagnosis date minus first-contact date"),
        higher_is_better=False,
        breakdowns=MEDIAN_BREAKDOWNS,
        target=(365.0, 2026),
        task="3",
    ),
    Indicator(
        "undiagnosed_12m",
        N_("Still undiagnosed a year after first contact"),
        N_(
            "Share of patients first seen at least 12 months before the end of the period "
            "who had no confirmed diagnosis 12 months after that first contact (IRDiRC goal)."
        ),
        Unit.PERCENT,
        "patients",
        "undiagnosed_12m",
        "contact_12m",
        numerator_words=N_("no confirmed diagnosis within 365 days of first contact"),
        denominator_words=N_("first contact at least 365 days before the period's end"),
        higher_is_better=False,
        target=(30.0, 2026),
        task="3",
    ),
    Indicator(
        "confirmed_genetic",
        N_("Genetically confirmed diagnoses"),
        N_("Share of registered patients with a confirmed diagnosis naming a gene."),
        Unit.PERCENT,
        "patients",
        "genetic",
        "registered",
        numerator_words=N_("records with a confirmed diagnosis that names a gene"),
        denominator_words=N_("registered patients"),
    ),
    Indicator(
        "on_listed_drug",
        N_("Patients on a listed rare drug"),
        N_(
            "Registered patients with a therapy plan in the period for a drug on the approved list."
        ),
        Unit.COUNT,
        "patients",
        "on_drug",
        numerator_words=N_("patients with an active plan of a listed drug during the period"),
        task="4",
    ),
    Indicator(
        "adherent",
        N_("Patients given at least 80 percent of their doses"),
        N_(
            "Share of patients on a listed drug who received at least 80 percent of the doses "
            "due in the period (doses given ÷ days on the plan in the period ÷ dosing interval)."
        ),
        Unit.PERCENT,
        "patients",
        "adherent",
        "on_drug",
        numerator_words=N_("patients given at least 80 percent of the doses due"),
        denominator_words=N_("patients with an active plan in the period"),
        task="7",
    ),
    Indicator(
        "out_of_pocket",
        N_("Out-of-pocket payment per treated patient"),
        N_(
            "Median amount a family paid itself for the infusions given in the period (drug, "
            "service fees and travel, less health insurance and support programmes), by the "
            "coverage rules in force at the period's start — a year's figure for a year."
        ),
        Unit.VND,
        "costs",
        "oop",
        numerator_words=N_(
            "per patient with infusions in the period: total cost − insurance − programmes"
        ),
        higher_is_better=False,
        breakdowns=("", "province", "centre", "disease"),
        task="7",
    ),
    Indicator(
        "catastrophic_spending",
        N_("Catastrophic health spending"),
        N_(
            "Share of treated patients with a known household income whose out-of-pocket "
            "payment in the period is above the coverage rules' threshold (by default 10 "
            "percent of the household income, prorated for a quarter or a month)."
        ),
        Unit.PERCENT,
        "costs",
        "catastrophic",
        "known",
        numerator_words=N_("treated patients whose out-of-pocket payment is above the threshold"),
        denominator_words=N_("treated patients with a known household income"),
        higher_is_better=False,
        breakdowns=("", "province", "centre", "disease"),
        task="7",
    ),
    Indicator(
        "km_per_treated",
        N_("Kilometres travelled per treated patient"),
        N_(
            "Median return-trip kilometres a patient on therapy travelled to the treating "
            "centre in the period (each infusion a return trip; road distance estimated from "
            "the provinces' centres, 25 km within a province)."
        ),
        Unit.KM,
        "travel",
        "km",
        numerator_words=N_("2 × road km from the home province to the centre, per infusion"),
        higher_is_better=False,
        breakdowns=("", "province", "centre"),
        task="7",
    ),
    Indicator(
        "out_of_province_trips",
        N_("Trips out of the home province"),
        N_("Share of the infusions in the period given outside the patient's home province."),
        Unit.PERCENT,
        "travel",
        "away",
        "trips",
        numerator_words=N_("infusions at a centre in another province"),
        denominator_words=N_("infusions in the period"),
        higher_is_better=False,
        breakdowns=("", "province", "centre"),
        task="7",
    ),
    Indicator(
        "completeness",
        N_("Completeness of the common data elements"),
        N_("Share of the 16 EU JRC common data elements filled in, over a centre's records."),
        Unit.PERCENT,
        "patients",
        "elements",
        "elements_due",
        numerator_words=N_("common data elements filled in"),
        denominator_words=N_("16 elements per record"),
        breakdowns=("", "province", "centre", "centre_disease_group"),
        target=(90.0, 2026),
    ),
    Indicator(
        "timeliness",
        N_("Records updated in the period"),
        N_("Share of a centre's records created or updated during the period."),
        Unit.PERCENT,
        "patients",
        "updated",
        "registered",
        numerator_words=N_("records created or updated in the period"),
        denominator_words=N_("registered patients"),
        breakdowns=("", "province", "centre"),
    ),
    Indicator(
        "listed_with_guideline",
        N_("Listed diseases with an approved guideline"),
        N_("Share of the diseases on the approved national list with an approved guideline."),
        Unit.PERCENT,
        "national",
        "listed_with_guideline",
        "listed",
        numerator_words=N_("listed diseases with an approved guideline"),
        denominator_words=N_("diseases on the approved national list"),
        breakdowns=("",),
        target=(50.0, 2026),
        task="3",
        source=N_("National rare disease list; guidelines"),
    ),
    Indicator(
        "listed_with_drug",
        N_("Listed diseases with a listed drug"),
        N_("Share of the diseases on the approved national list treated by a drug on the list."),
        Unit.PERCENT,
        "national",
        "listed_with_drug",
        "listed",
        numerator_words=N_("listed diseases named in a listed drug's indications"),
        denominator_words=N_("diseases on the approved national list"),
        breakdowns=("",),
        task="4",
        source=N_("National rare disease list; rare drug list"),
    ),
    Indicator(
        "activities_on_time",
        N_("Plan activities done on time"),
        N_("Share of the plan's activities due in the period that were done by their deadline."),
        Unit.PERCENT,
        "national",
        "activities_on_time",
        "activities_due",
        numerator_words=N_("activities due in the period, done on or before their deadline"),
        denominator_words=N_("activities due in the period (cancelled ones excepted)"),
        breakdowns=("",),
        target=(80.0, 2026),
        source=N_("National action plan"),
    ),
    Indicator(
        "nbs_coverage",
        N_("Newborn screening coverage"),
        N_(
            "Share of the births expected in the period whose newborn screening sample was "
            "taken in the period."
        ),
        Unit.PERCENT,
        "network",
        "nbs_screened",
        "expected_births",
        numerator_words=N_("newborns screened (samples taken in the period)"),
        denominator_words=N_(
            "births expected in the period: 1.5 million a year spread by the provinces' populations"
        ),
        breakdowns=("", "province"),
        task="3",
        source=N_("RareCare newborn screening records; province populations"),
    ),
    Indicator(
        "nbs_positives",
        N_("Positive newborn screens"),
        N_("Newborns whose screening sample taken in the period was positive."),
        Unit.COUNT,
        "network",
        "nbs_positive",
        numerator_words=N_("positive screening results"),
        breakdowns=("", "province"),
        task="3",
        source=N_("RareCare newborn screening records"),
    ),
    Indicator(
        "referral_days_to_answer",
        N_("Days from referral to answer"),
        N_("Median days from sending a referral to a centre of expertise to its answer."),
        Unit.DAYS,
        "network",
        "to_answer",
        numerator_words=N_("answer date minus referral date, referrals sent in the period"),
        higher_is_better=False,
        breakdowns=("", "centre"),
        task="3",
        source=N_("RareCare referrals"),
    ),
    Indicator(
        "referral_days_to_visit",
        N_("Days from referral to first visit"),
        N_("Median days from sending a referral to the patient's first visit there."),
        Unit.DAYS,
        "network",
        "to_visit",
        numerator_words=N_("first-visit date minus referral date, referrals sent in the period"),
        higher_is_better=False,
        breakdowns=("", "centre"),
        task="3",
        source=N_("RareCare referrals"),
    ),
    Indicator(
        "referral_days_to_diagnosis",
        N_("Days from referral to diagnosis"),
        N_(
            "Median days from sending a referral to the diagnosis returned by the receiving centre."
        ),
        Unit.DAYS,
        "network",
        "to_diagnosis",
        numerator_words=N_(
            "diagnosis-returned date minus referral date, referrals sent in the period"
        ),
        higher_is_better=False,
        breakdowns=("", "centre"),
        task="3",
        source=N_("RareCare referrals"),
    ),
)

BY_CODE = {i.code: i for i in INDICATORS}

UNIT_LABELS = {
    Unit.COUNT: N_("people"),
    Unit.PERCENT: "%",
    Unit.PER_100K: N_("per 100,000"),
    Unit.DAYS: N_("days"),
    Unit.VND: "₫",
    Unit.KM: "km",
}
