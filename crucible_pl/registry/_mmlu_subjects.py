"""The 57 MMLU subjects and their categories, as data.

The category of each subject follows lm-evaluation-harness
(``lm_eval/tasks/mmlu/_generate_configs.py``, the ``SUBJECTS`` mapping): ``stem``,
``humanities``, ``social_sciences`` or ``other``. Its ``stem`` group has 19 subjects
and is the MMLU-STEM that ``mmlu_stem`` assembles. (The MMLU authors'
``categories.py`` files ``anatomy`` under "other (health)", which gives 18 STEM
subjects; we follow the harness, which is what published MMLU-STEM scores use.)

Examples
--------
>>> from crucible_pl.registry._mmlu_subjects import (
...     MMLU_STEM_SUBJECTS,
...     MMLU_SUBJECT_CATEGORIES,
...     MMLU_SUBJECTS,
... )
>>> len(MMLU_SUBJECTS), len(MMLU_STEM_SUBJECTS)
(57, 19)
>>> MMLU_SUBJECT_CATEGORIES["anatomy"]
'stem'
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["MMLU_STEM_SUBJECTS", "MMLU_SUBJECTS", "MMLU_SUBJECT_CATEGORIES"]

MMLU_SUBJECT_CATEGORIES: Mapping[str, str] = MappingProxyType(
    {
        "abstract_algebra": "stem",
        "anatomy": "stem",
        "astronomy": "stem",
        "business_ethics": "other",
        "clinical_knowledge": "other",
        "college_biology": "stem",
        "college_chemistry": "stem",
        "college_computer_science": "stem",
        "college_mathematics": "stem",
        "college_medicine": "other",
        "college_physics": "stem",
        "computer_security": "stem",
        "conceptual_physics": "stem",
        "econometrics": "social_sciences",
        "electrical_engineering": "stem",
        "elementary_mathematics": "stem",
        "formal_logic": "humanities",
        "global_facts": "other",
        "high_school_biology": "stem",
        "high_school_chemistry": "stem",
        "high_school_computer_science": "stem",
        "high_school_european_history": "humanities",
        "high_school_geography": "social_sciences",
        "high_school_government_and_politics": "social_sciences",
        "high_school_macroeconomics": "social_sciences",
        "high_school_mathematics": "stem",
        "high_school_microeconomics": "social_sciences",
        "high_school_physics": "stem",
        "high_school_psychology": "social_sciences",
        "high_school_statistics": "stem",
        "high_school_us_history": "humanities",
        "high_school_world_history": "humanities",
        "human_aging": "other",
        "human_sexuality": "social_sciences",
        "international_law": "humanities",
        "jurisprudence": "humanities",
        "logical_fallacies": "humanities",
        "machine_learning": "stem",
        "management": "other",
        "marketing": "other",
        "medical_genetics": "other",
        "miscellaneous": "other",
        "moral_disputes": "humanities",
        "moral_scenarios": "humanities",
        "nutrition": "other",
        "philosophy": "humanities",
        "prehistory": "humanities",
        "professional_accounting": "other",
        "professional_law": "humanities",
        "professional_medicine": "other",
        "professional_psychology": "social_sciences",
        "public_relations": "social_sciences",
        "security_studies": "social_sciences",
        "sociology": "social_sciences",
        "us_foreign_policy": "social_sciences",
        "virology": "other",
        "world_religions": "humanities",
    }
)
"""Subject (the Hub config name of ``cais/mmlu``) -> lm-evaluation-harness category."""

MMLU_SUBJECTS: tuple[str, ...] = tuple(sorted(MMLU_SUBJECT_CATEGORIES))
"""The 57 subject configs of ``cais/mmlu``, sorted."""

MMLU_STEM_SUBJECTS: tuple[str, ...] = tuple(
    s for s in MMLU_SUBJECTS if MMLU_SUBJECT_CATEGORIES[s] == "stem"
)
"""The 19 subjects of lm-evaluation-harness's ``mmlu_stem`` group, sorted."""
