"""Bridges to the tools that run models: lm-evaluation-harness and inspect_ai.

Each bridge imports its tool only when called (optional extras ``lm-eval`` and
``inspect``), and sits above the Dataset layer: it takes Datasets and frames and gives
the other tool exactly the rows (and pinned files) crucible-pl would use.
"""
