"""HPO features named in disease names and definitions (dictionary matching, no model).

Many rare diseases are named after their defining features ("Neurodevelopmental disorder with
microcephaly, absent speech, and hypotonia", "Cleft lip and palate-craniofacial
dysmorphism-congenital heart defect-hearing loss syndrome"), and Orphanet's definitions list the
main signs ("characterized by ..."). For diseases with few or no HPO annotations (newly described
OMIM entries, Orphanet entities without an HPO annotation) these mentions are the only phenotype
there is. The build (``knowledge.build``) runs this matcher over OMIM names, Mondo labels and
Orphanet definitions and ships the result; the diagnosis engine uses it as weak annotations.

Matching: the text and every HPO phenotype label and exact synonym are folded (case, accents,
punctuation) and lightly stemmed (a final plural *s*); the longest phrase wins, left to right. A
mention is negated after "without", "no", "absence of", "lack of", "not" (so "without
intellectual disability" is not a feature) and *variable* after "with or without" or "variable".
Single-word phrases need five letters, so that short synonyms do not fire on ordinary words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rarecare.knowledge.text import tokens

# Disease-name vocabulary that HPO spells differently: the nosology words of the commonest
# OMIM phenotypic series for the features that define them.
NAME_PHRASES: dict[str, tuple[str, ...]] = {
    "intellectual developmental disorder": ("HP:0001249",),  # Intellectual disability
    "mental retardation": ("HP:0001249",),
    "neurodevelopmental disorder": ("HP:0012759",),  # Neurodevelopmental abnormality
    "epilepsy": ("HP:0001250",),  # Seizure
    "epileptic encephalopathy": ("HP:0200134",),
    "developmental and epileptic encephalopathy": ("HP:0200134", "HP:0001263"),
    "pulmonary hypertension": ("HP:0002092",),  # Pulmonary arterial hypertension
    "spermatogenic failure": ("HP:0008669",),  # Abnormal spermatogenesis
    "charcot marie tooth disease": ("HP:0009830",),  # Peripheral neuropathy
    "neuropathy": ("HP:0009830",),
    "oxidative phosphorylation deficiency": ("HP:0200125",),  # respiratory chain defects
    "mitochondrial complex": ("HP:0200125",),
    "congenital disorder of glycosylation": ("HP:0012345",),  # Abnormal glycosylation
    "joubert syndrome": ("HP:0002419",),  # Molar tooth sign on MRI
    "myasthenic syndrome": ("HP:0003473",),  # Fatigable weakness
    "pontocerebellar hypoplasia": ("HP:0001321", "HP:0012110"),  # cerebellum, pons
    "osteogenesis imperfecta": ("HP:0002757",),  # Recurrent fractures
    "ehlers danlos syndrome": ("HP:0001382",),  # Joint hypermobility
    "usher syndrome": ("HP:0000365", "HP:0000510"),  # hearing, rod-cone dystrophy
}
NEGATIONS = frozenset({"without", "no", "absence", "absent", "lack", "lacking", "not"})
VARIABLE = frozenset({"variable", "variably", "occasional", "occasionally", "sometimes"})
_WINDOW = 3  # words before a mention that can negate it


def stem(word: str) -> str:
    """A final plural s off longer words (syndromes → syndrome, but not "ss", "us", "is")."""
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    return [stem(w) for w in tokens(text)]


@dataclass(frozen=True)
class Mention:
    hpo_id: str
    phrase: str
    negated: bool = False
    variable: bool = False


class Lexicon:
    """Phrases (folded word tuples) to HPO ids; a phrase claimed by two terms is dropped unless
    it is one term's label."""

    def __init__(self, entries: Iterable[tuple[str, str, bool]]) -> None:
        """``entries``: (hpo id, phrase, whether the phrase is the term's label)."""
        found: dict[tuple[str, ...], set[str]] = {}
        labels: dict[tuple[str, ...], str] = {}
        for hpo_id, phrase, is_label in entries:
            key = tuple(words(phrase))
            if not key or (len(key) == 1 and len(key[0]) < 5) or key[0].isdigit():
                continue
            found.setdefault(key, set()).add(hpo_id)
            if is_label:
                labels[key] = hpo_id
        self.phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for key, ids in found.items():
            if key in labels:
                self.phrases[key] = (labels[key],)
            elif len(ids) == 1:
                self.phrases[key] = (next(iter(ids)),)
        known = {i for ids in found.values() for i in ids}
        for phrase, name_ids in NAME_PHRASES.items():
            # (a lexicon of another ontology, e.g. a test's, may lack the terms)
            present = tuple(i for i in name_ids if i in known)
            if present:
                self.phrases[tuple(words(phrase))] = present
        self.longest = max((len(k) for k in self.phrases), default=0)

    def mentions(self, text: str) -> list[Mention]:
        """Every feature the text names, once each, in order of first mention."""
        w = words(text)
        out: dict[str, Mention] = {}
        i = 0
        while i < len(w):
            for n in range(min(self.longest, len(w) - i), 0, -1):
                key = tuple(w[i : i + n])
                ids = self.phrases.get(key)
                if ids is None:
                    continue
                before = w[max(0, i - _WINDOW) : i]
                with_or_without = before[-3:] == ["with", "or", "without"]
                negated = not with_or_without and any(x in NEGATIONS for x in before)
                variable = with_or_without or any(x in VARIABLE for x in before)
                for hpo_id in ids:
                    if hpo_id not in out:
                        out[hpo_id] = Mention(hpo_id, " ".join(key), negated, variable)
                i += n
                break
            else:
                i += 1
        return list(out.values())
